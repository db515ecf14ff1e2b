using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The fast convolution kernels (im2col + GEMM bands, pointwise, depthwise) against the naive loops.</summary>
public class ConvKernelTests
{
    // N, C, H, W, O, kh, kw, sh, sw, top, left, bottom, right, dh, dw, groups
    public static IEnumerable<object[]> Geometries() => new int[][]
    {
        [1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1],
        [2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [2, 3, 9, 8, 5, 3, 2, 2, 3, 1, 0, 2, 1, 1, 1, 1],
        [1, 4, 9, 11, 6, 3, 3, 1, 2, 2, 1, 0, 2, 2, 1, 2],
        [2, 4, 8, 7, 4, 3, 3, 2, 1, 1, 1, 1, 1, 1, 2, 4],   // depthwise, stride 2 rows
        [1, 6, 10, 9, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 6],  // depthwise 5×5
        [2, 5, 6, 7, 5, 3, 3, 3, 2, 0, 1, 1, 0, 2, 2, 5],   // depthwise, dilated, strided
        [3, 6, 5, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2],   // pointwise, grouped
        [2, 8, 7, 5, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],   // pointwise: input gradient batched over the images
        [3, 5, 1, 1, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],   // pointwise on 1×1 planes (a classifier): dX = dY·W
        [2, 3, 11, 10, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1], // pointwise, plane above MaxBatchedPlane: per image
        [1, 3, 6, 5, 2, 1, 1, 2, 2, 1, 0, 0, 1, 1, 1, 1],   // 1×1 with stride and padding
        [2, 3, 33, 31, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1], // several bands
        [1, 2, 40, 17, 3, 5, 4, 1, 1, 2, 0, 2, 3, 2, 1, 1], // several bands, tall dilated kernel
        [1, 4, 45, 23, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2], // several bands, strided, grouped
        [1, 2, 4, 30, 2, 4, 5, 1, 3, 0, 2, 3, 2, 1, 1, 1],
        [2, 3, 9, 37, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3],   // depthwise stride 1: 16-wide vectors, overlapping tail
        [1, 4, 8, 13, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4],   // depthwise stride 1: 8-wide vectors
        [1, 2, 11, 50, 2, 3, 5, 1, 1, 0, 3, 2, 1, 2, 2, 2],  // depthwise stride 1, dilated, asymmetric
        [1, 3, 7, 41, 3, 3, 3, 1, 1, 3, 0, 1, 4, 1, 1, 3],   // depthwise stride 1, padding beyond the kernel
        [1, 3, 10, 37, 3, 3, 4, 2, 3, 1, 2, 0, 1, 1, 2, 3],  // depthwise, three column phases
        [2, 2, 9, 40, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2],   // depthwise stride 2 (MobileNet downsampling)
        [1, 2, 6, 71, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2],   // depthwise stride 2, two 32-column SIMD blocks and an odd tail
        [2, 3, 7, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3],    // depthwise stride 1, narrow plane (padded scratch path)
        [1, 2, 14, 14, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2],  // depthwise stride 1, 14 wide (one vector per row)
        [1, 2, 5, 9, 2, 5, 5, 1, 1, 2, 1, 0, 3, 1, 2, 2],    // narrow, dilated, asymmetric padding
        [1, 3, 3, 20, 3, 3, 3, 1, 1, 4, 2, 2, 3, 2, 1, 3],   // narrow, padding beyond the kernel (backward falls back)
        [1, 3, 12, 13, 3, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 3],  // depthwise 3×3 stride 2, TensorFlow SAME padding (bottom/right only)
        [1, 2, 9, 20, 2, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 2],   // depthwise 3×3 stride 2, padding beyond the kernel
        [2, 2, 17, 50, 2, 3, 3, 1, 1, 0, 2, 2, 0, 1, 1, 2],  // depthwise 3×3 stride 1, asymmetric padding, 4-row blocks and a remainder
        [1, 2, 5, 35, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2],   // depthwise 3×3 stride 2, odd height (a single last row)
    }.Select(a => new object[] { a });

    private static ConvGeometry Geometry(int[] a) => new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Fast_forward_and_backward_match_naive_loops(int[] args)
    {
        var g = Geometry(args);
        var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), 1).ToArray();
        var w = Tensor.Randn(new Shape(g.OutChannels, g.InPerGroup, g.KernelHeight, g.KernelWidth), 2).ToArray();
        var dy = Tensor.Randn(new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), 3).ToArray();
        var yRef = new float[dy.Length];
        var dxRef = new float[x.Length];
        var dwRef = new float[w.Length];
        ConvNaive.Forward(x, w, yRef, g);
        ConvNaive.BackwardInput(dy, w, dxRef, g);
        ConvNaive.BackwardWeight(dy, x, dwRef, g);
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                var y = new float[dy.Length];
                var dx = new float[x.Length];
                var dw = new float[w.Length];
                Array.Fill(y, float.NaN); // the forward kernel must overwrite every output
                if (Conv2dKernel.OverwritesInputGradient(g)) Array.Fill(dx, float.NaN); // then it must write every element
                Conv2dKernel.Forward(x, w, y, g);
                Conv2dKernel.BackwardInput(dy, w, dx, g);
                Conv2dKernel.BackwardWeight(dy, x, dw, g);
                GradCheck.Close(yRef, y, 1e-4f, 1e-4f);
                GradCheck.Close(dxRef, dx, 1e-4f, 1e-4f);
                GradCheck.Close(dwRef, dw, 1e-3f, 1e-4f);
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Theory]
    [InlineData(1, 37, 3, 3)]
    [InlineData(2, 64, 3, 3)]                                                  // MobileNet downsampling: SIMD column interleave
    [InlineData(2, 75, 3, 3)]                                                  // odd width: SIMD blocks and a scalar tail
    [InlineData(3, 50, 5, 5)]
    [InlineData(2, 113, 3, 1)]
    public void Depthwise_input_gradient_matches_on_wide_strided_rows(int stride, int width, int kh, int kw)
    {
        var g = new ConvGeometry(2, 3, 9, width, 3, kh, kw, stride, stride, kh / 2, kw / 2, kh / 2, kw / 2, 1, 1, 3);
        var w = Tensor.Randn(new Shape(3, 1, kh, kw), 4).ToArray();
        var dy = Tensor.Randn(new Shape(2, 3, g.OutHeight, g.OutWidth), 5).ToArray();
        var dxRef = new float[2 * 3 * g.InPlane];
        ConvNaive.BackwardInput(dy, w, dxRef, g);
        var dx = new float[dxRef.Length];
        Array.Fill(dx, float.NaN);                                             // overwritten, not added to
        ConvDepthwise.BackwardInput(dy, w, dx, g);
        GradCheck.Close(dxRef, dx, 1e-4f, 1e-4f);
    }

    [Fact]
    public void Pointwise_cases_cover_the_batched_and_the_per_image_input_gradient()
    {
        Assert.True(Geometry([2, 8, 7, 5, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1]).InPlane <= Conv2dKernel.MaxBatchedPlane);
        Assert.True(Geometry([2, 3, 11, 10, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1]).InPlane > Conv2dKernel.MaxBatchedPlane);
    }

    [Fact]
    public void Several_band_cases_really_use_several_bands()
    {
        var g = Geometry([2, 3, 33, 31, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        Assert.True(Conv2dKernel.BandRows(g) < g.OutHeight);
        var dilated = Geometry([1, 2, 40, 17, 3, 5, 4, 1, 1, 2, 0, 2, 3, 2, 1, 1]);
        int rows = Conv2dKernel.BandRows(dilated);
        Assert.True(rows < dilated.OutHeight);
        Assert.True(rows * dilated.StrideH >= dilated.DilationH * (dilated.KernelHeight - 1));
    }

    /// <summary>The forward and input-gradient GEMMs of one call share each group's weights packed once (three
    /// images, so three products per group): bitwise the products of the unpacked GEMM, image by image.</summary>
    [Fact]
    public void Weights_packed_once_per_call_give_bitwise_the_per_image_products()
    {
        var g = Geometry([3, 6, 11, 10, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2]);   // pointwise, 2 groups, 110-position planes
        int og = g.OutPerGroup, cg = g.InPerGroup, plane = g.InPlane;
        Assert.Equal(1, Gemm.PackingsOfA(og, plane, cg, 1));                      // each product alone would pack once
        var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), 4).ToArray();
        var w = Tensor.Randn(new Shape(g.OutChannels, cg, 1, 1), 5).ToArray();
        var dy = Tensor.Randn(new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), 6).ToArray();
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        var yExpected = new float[dy.Length];
        var dxExpected = new float[x.Length];
        for (int n = 0; n < g.Batch; n++)
            for (int group = 0; group < g.Groups; group++)
            {
                var weights = w.AsSpan(group * og * cg, og * cg);
                var input = x.AsSpan((n * g.InChannels + group * cg) * plane, cg * plane);
                var grad = dy.AsSpan((n * g.OutChannels + group * og) * plane, og * plane);
                Gemm.Multiply(weights, input, yExpected.AsSpan((n * g.OutChannels + group * og) * plane, og * plane), og, plane, cg, false, false, false, 1, GemmPath.Auto);
                Gemm.Multiply(weights, grad, dxExpected.AsSpan((n * g.InChannels + group * cg) * plane, cg * plane), cg, plane, og, true, false, false, 1, GemmPath.Auto);
            }
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                Conv2dKernel.Forward(x, w, y, g);
                Conv2dKernel.BackwardInput(dy, w, dx, g);
                Assert.Equal(yExpected, y);
                Assert.Equal(dxExpected, dx);
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    /// <summary>im2col straight into packed-B panels equals im2col followed by the GEMM's own packing, bitwise, for
    /// every band of every geometry (strides, dilations, padding, several depth blocks) and each kernel's panels.</summary>
    [Fact]
    public unsafe void Im2col_into_packed_panels_equals_packing_the_column_matrix()
    {
        var geometries = Geometries().Select(a => Geometry((int[])a[0])).Where(g => !g.IsPointwise && !g.IsDepthwise)
            .Append(Geometry([1, 64, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1]))     // K = 576: two depth blocks of 288
            .Append(Geometry([1, 3, 20, 40, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1]))    // stride 2 with a ragged last panel
            .Append(Geometry([1, 3, 20, 75, 4, 3, 3, 2, 2, 0, 1, 0, 1, 1, 1, 1]))    // stride 2, rows long enough for the permuted gather
            .Append(Geometry([1, 2, 6, 9, 3, 3, 3, 1, 1, 3, 1, 2, 1, 1, 1, 1]));     // as wide as the input (one run per tap), whole rows of padding
        foreach (var g in geometries)
            foreach (var path in new[] { GemmPath.Scalar, GemmPath.Vector256, GemmPath.Vector512 })
            {
                var x = Tensor.Randn(new Shape(g.InPerGroup, g.InHeight, g.InWidth), 7).ToArray();
                int k = g.ColumnRows, rows = Conv2dKernel.BandRows(g);
                var (depthBlock, nr) = Gemm.PanelShapeB(path, k);
                for (int row0 = 0; row0 < g.OutHeight; row0 += rows)
                {
                    int count = Math.Min(rows, g.OutHeight - row0), width = count * g.OutWidth, padded = (width + nr - 1) / nr * nr;
                    var cols = new float[k * width];
                    Im2Col.Fill(x, cols, g, row0, count);
                    var expected = new float[k * padded];
                    fixed (float* pc = cols, pe = expected)
                        for (int pc0 = 0; pc0 < k; pc0 += depthBlock)
                            GemmPacking.PackB(pc + pc0 * width, width, false, Math.Min(depthBlock, k - pc0), width, nr, pe + pc0 * padded);
                    var actual = Enumerable.Repeat(float.NaN, k * padded + 5).ToArray();
                    Im2Col.FillPacked(x, actual, g, row0, count, depthBlock, nr);
                    Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, k * padded)), $"{path} rows {row0}+{count}: packed columns differ");
                    Assert.All(actual[(k * padded)..], v => Assert.True(float.IsNaN(v)));
                }
            }
    }

    [Theory]
    [InlineData(55, 16, 9, 8)]       // SqueezeNet's expand3x3 at 55×55: 7 bands of 8 (the last 7), not 6 of 9 and 1
    [InlineData(27, 32, 17, 14)]     // at 27×27: 14 + 13, not 17 + 10
    [InlineData(28, 32, 16, 14)]     // Tiny Darknet at 28×28: 14 + 14
    public void Bands_are_evened_out(int side, int channels, int unevenRows, int expected)
    {
        var g = Geometry([1, channels, side, side, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        Assert.Equal(unevenRows, Math.Min(Conv2dKernel.MaxColumnFloats / (g.ColumnRows * g.OutWidth), (Conv2dKernel.MinBandColumns + side - 1) / side));
        Assert.Equal(expected, Conv2dKernel.BandRows(g));
        Assert.Equal((side + unevenRows - 1) / unevenRows, (side + expected - 1) / expected);   // as many bands as before
    }

    [Fact]
    public void Naive_forward_matches_a_hand_computed_example()
    {
        // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,-1]], padding 0: y[r,s] = x[r,s] − x[r+1,s+1] = −4 everywhere
        var g = new ConvGeometry(1, 1, 3, 3, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        var y = new float[4];
        ConvNaive.Forward([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 0, 0, -1], y, g);
        Assert.Equal(new float[] { -4, -4, -4, -4 }, y);
        // with padding 1 on top/left only, y[0,0] = 0·1 − x[0,0] = −1
        var padded = new ConvGeometry(1, 1, 3, 3, 1, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        var yp = new float[9];
        ConvNaive.Forward([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 0, 0, -1], yp, padded);
        Assert.Equal(new float[] { -1, -2, -3, -4, -4, -4, -7, -4, -4 }, yp);
    }
    [Fact]
    public void Stride_two_col2im_rows_add_every_other_element_as_the_scalar_loop_bitwise()
    {
        // d[2k] += v[k]: the written elements get the scalar sum's bits (±0, ∞, NaN included), the others are left
        // alone (−0 too), on every length to 70 and with room to spare or none after the last written element
        float[] edges = [-0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-40f, -3.5f];
        var random = new Random(5);
        float Next(int i) => i % 4 == 1 ? edges[random.Next(edges.Length)] : (float)(random.NextDouble() * 4 - 2);
        for (int n = 0; n <= 70; n++)
            foreach (int spare in new[] { 0, 1, 17 })
            {
                var v = Enumerable.Range(0, n).Select(Next).ToArray();
                var d = Enumerable.Range(0, Math.Max(0, 2 * n - 1) + spare).Select(Next).ToArray();
                var expected = (float[])d.Clone();
                for (int k = 0; k < n; k++) expected[2 * k] += v[k];
                Im2Col.AddEveryOther(v, d);
                for (int i = 0; i < d.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(d[i]), $"n {n}, spare {spare}, element {i}: {d[i]}, expected {expected[i]}");
            }
    }
}
