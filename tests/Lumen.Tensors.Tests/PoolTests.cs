using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>MaxPool2d, AvgPool2d, the global and adaptive pools and the 1-D variants: kernels against the naive
/// loops, finite-difference gradients, tie handling, PyTorch output sizes and errors.</summary>
public class PoolTests
{
    // planes, H, W, kh, kw, sh, sw, top, left, bottom, right, dh, dw, ceil
    public static IEnumerable<object[]> Geometries() => new int[][]
    {
        [2, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0],
        [3, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0],
        [3, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1],
        [2, 9, 8, 3, 2, 3, 1, 1, 0, 2, 1, 1, 1, 1],
        [2, 9, 10, 3, 3, 1, 2, 2, 1, 0, 2, 2, 3, 0],
        [1, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1],
        [4, 11, 5, 5, 4, 3, 2, 2, 1, 2, 2, 1, 1, 1],
        [2, 6, 7, 1, 1, 2, 3, 0, 0, 0, 0, 1, 1, 1],
    }.Select(a => new object[] { a });

    // rows wide enough for the SIMD paths: stride-2 windows of 2 and 3 taps (SqueezeNet, Tiny Darknet), with
    // padding and ceil mode clipping edge windows, odd widths leaving partial vectors, and a stride-1 window
    public static IEnumerable<object[]> WideGeometries() => new int[][]
    {
        [3, 13, 111, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0],
        [2, 12, 112, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0],
        [2, 11, 57, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1],
        [2, 10, 55, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1],
        [2, 9, 67, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1, 1],
        [2, 7, 50, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0],
        [2, 8, 70, 2, 3, 2, 2, 0, 2, 0, 2, 1, 2, 0],
        [3, 9, 27, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0],   // 13 outputs a row: one partial vector, scalar at the array's end
        [2, 6, 21, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1],
        // 16, 17, 32 and 33 full windows a row (the fused stride-2 path's block carried over or not), batch 3 × 2
        [6, 7, 33, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0],
        [2, 7, 35, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0],
        [2, 5, 65, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0],
        [2, 5, 67, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0],
        [3, 6, 32, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0],
        [2, 6, 97, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1],
        [2, 9, 56, 3, 3, 2, 2, 0, 0, 0, 0, 2, 1, 1],   // dilated rows, a clipped last window (ceil mode)
    }.Select(a => new object[] { a });

    private static PoolGeometry Geometry(int[] a) => new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13] == 1);

    [Theory]
    [MemberData(nameof(Geometries))]
    [MemberData(nameof(WideGeometries))]
    public void Max_kernel_matches_naive_loops_with_the_same_argmax(int[] a)
    {
        var g = Geometry(a);
        var x = Tensor.Randn(new Shape(g.Planes, g.InHeight, g.InWidth), 1).ToArray();
        for (int i = 0; i < x.Length; i += 7) x[i] = float.NegativeInfinity;   // −∞ inputs may win only an all-−∞ window
        for (int i = 3; i < x.Length; i += 11) x[i] = x[i - 1];                  // ties: the first maximum gets the gradient
        var (expected, expectedArg) = PoolNaive.Max(x, g);
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                var y = new float[expected.Length];
                var arg = new int[expected.Length];
                PoolMax.Forward(x, y, g);
                PoolMax.Argmax(x, y, arg, g);
                Assert.Equal(expected, y);
                Assert.Equal(expectedArg, arg);
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    [MemberData(nameof(WideGeometries))]
    public void Max_kernel_is_bitwise_the_rows_then_columns_order_on_signed_zeros_and_NaN_payloads(int[] a)
    {
        // The documented order — each column's maximum over the window's rows, then over its columns, with
        // PoolMax.Max — decides which of +0 and −0 and which NaN payload wins; every path must follow it bit for bit.
        var g = Geometry(a);
        var rng = new Random(a.Sum());
        var x = Tensor.Randn(new Shape(g.Planes, g.InHeight, g.InWidth), 4).ToArray();
        for (int i = 0; i < x.Length; i++)
            x[i] = rng.Next(10) switch
            {
                < 3 => 0f,
                < 6 => -0f,
                6 when rng.Next(6) == 0 => BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00000) | rng.Next(1 << 22)),
                _ => x[i] - 2f,
            };
        var y = new float[g.Planes * g.OutHeight * g.OutWidth];
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 1;
            PoolMax.Forward(x, y, g);
        }
        finally { Parallelism.MaxDegree = saved; }
        for (int p = 0; p < g.Planes; p++)
            for (int r = 0; r < g.OutHeight; r++)
                for (int s = 0; s < g.OutWidth; s++)
                {
                    float best = float.NegativeInfinity;
                    for (int j = 0; j < g.KernelWidth; j++)
                    {
                        int iw = s * g.StrideW - g.PadLeft + j * g.DilationW;
                        if (iw < 0 || iw >= g.InWidth) continue;
                        float? column = null;
                        for (int i = 0; i < g.KernelHeight; i++)
                        {
                            int ih = r * g.StrideH - g.PadTop + i * g.DilationH;
                            if (ih < 0 || ih >= g.InHeight) continue;
                            float v = x[(p * g.InHeight + ih) * g.InWidth + iw];
                            column = column is { } c ? PoolMax.Max(c, v) : v;
                        }
                        if (column is { } m) best = PoolMax.Max(best, m);
                    }
                    int o = (p * g.OutHeight + r) * g.OutWidth + s;
                    Assert.True(BitConverter.SingleToInt32Bits(best) == BitConverter.SingleToInt32Bits(y[o]), $"plane {p}, window ({r}, {s}): expected {best} got {y[o]}");
                }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Average_map_matches_naive_divisor_formula(int[] a)
    {
        var g = Geometry(a) with { DilationH = 1, DilationW = 1 };
        var x = Tensor.Randn(new Shape(g.Planes, g.InHeight, g.InWidth), 2).ToArray();
        foreach (bool include in new[] { true, false })
        {
            var rows = PoolAxisTaps.Average(g.InHeight, g.KernelHeight, g.StrideH, g.PadTop, g.PadBottom, g.CeilMode, include);
            var cols = PoolAxisTaps.Average(g.InWidth, g.KernelWidth, g.StrideW, g.PadLeft, g.PadRight, g.CeilMode, include);
            Assert.Equal(g.OutHeight, rows.OutSize);
            Assert.Equal(g.OutWidth, cols.OutSize);
            GradCheck.Close(PoolNaive.Average(x, g, include), PoolSeparable.Apply(x, g.Planes, rows, cols));
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Pool_gradients_match_finite_differences(int[] a)
    {
        var g = Geometry(a);
        // distinct values 0.05 apart keep every window's maximum unique under the ±0.01 probes
        int n = g.Planes * g.InHeight * g.InWidth;
        var values = Enumerable.Range(0, n).Select(i => 0.05f * i).OrderBy(v => new Random((int)(v * 1000)).Next()).ToArray();
        var x = Tensor.FromArray(values, 1, g.Planes, g.InHeight, g.InWidth);
        GradCheck.Assert(t => t[0].MaxPool2d((g.KernelHeight, g.KernelWidth), (g.StrideH, g.StrideW), (g.PadTop, g.PadLeft, g.PadBottom, g.PadRight), (g.DilationH, g.DilationW), g.CeilMode), [x]);
        var r = Tensor.Randn(new Shape(1, g.Planes, g.InHeight, g.InWidth), 3);
        GradCheck.Assert(t => t[0].AvgPool2d((g.KernelHeight, g.KernelWidth), (g.StrideH, g.StrideW), (g.PadTop, g.PadLeft, g.PadBottom, g.PadRight), g.CeilMode, countIncludePad: true), [r]);
        GradCheck.Assert(t => t[0].AvgPool2d((g.KernelHeight, g.KernelWidth), (g.StrideH, g.StrideW), (g.PadTop, g.PadLeft, g.PadBottom, g.PadRight), g.CeilMode, countIncludePad: false), [r]);
    }

    [Fact]
    public void MaxPool2d_gives_the_gradient_to_the_first_maximum_on_ties()
    {
        var x = Tensor.FromArray([1f, 3, 3, 0, 2, 3, 3, 1, 0], 1, 1, 3, 3).RequireGrad();
        var y = x.MaxPool2d(2, stride: 1);
        Assert.Equal(new float[] { 3, 3, 3, 3 }, y.ToArray());
        var grad = Autograd.Gradients.Of(y.Sum(), [x])[0].ToArray();
        // windows: (0,0)→x[0,1]; (0,1) ties x[0,1], x[0,2], x[1,2]→x[0,1]; (1,0)→x[2,0]; (1,1)→x[1,2]
        Assert.Equal(new float[] { 0, 2, 0, 0, 0, 1, 1, 0, 0 }, grad);
    }

    [Fact]
    public void MaxPool2d_propagates_NaN_and_routes_its_gradient_to_the_first_NaN()
    {
        var x = Tensor.FromArray([1f, float.NaN, 5, 2, 3, float.NaN, 4, 0, 1], 1, 1, 3, 3).RequireGrad();
        var y = x.MaxPool2d(2, stride: 1);
        var values = y.ToArray();
        Assert.True(float.IsNaN(values[0]) && float.IsNaN(values[1]) && float.IsNaN(values[3]));
        Assert.Equal(4f, values[2]);
        var grad = Autograd.Gradients.Of(y.Sum(), [x])[0].ToArray();
        // windows (0,0) and (0,1) → x[0,1]; (1,0) → x[2,0] = 4; (1,1) → x[1,2]
        Assert.Equal(new float[] { 0, 2, 0, 0, 0, 1, 1, 0, 0 }, grad);
    }

    [Fact]
    public void A_NaN_inside_a_wide_row_poisons_exactly_the_windows_that_contain_it()
    {
        var values = Tensor.Randn(new Shape(1, 1, 9, 70), 5).ToArray();
        values[4 * 70 + 37] = float.NaN;   // row 4, column 37: inside the SIMD part of both passes
        var y = Tensor.FromArray(values, 1, 1, 9, 70).MaxPool2d(3, stride: 2).ToArray();
        var g = new PoolGeometry(1, 9, 70, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, false);
        var (expected, expectedArg) = PoolNaive.Max(values, g);
        var arg = new int[y.Length];
        PoolMax.Argmax(values, y, arg, g);
        for (int r = 0; r < g.OutHeight; r++)
            for (int s = 0; s < g.OutWidth; s++)
            {
                bool covers = 4 >= 2 * r && 4 < 2 * r + 3 && 37 >= 2 * s && 37 < 2 * s + 3;
                float v = y[r * g.OutWidth + s];
                if (covers) Assert.True(float.IsNaN(v), $"window ({r}, {s}) should be NaN");
                else Assert.Equal(expected[r * g.OutWidth + s], v);
                Assert.Equal(covers ? 4 * 70 + 37 : expectedArg[r * g.OutWidth + s], arg[r * g.OutWidth + s]);   // the gradient goes to the NaN
            }
    }

    [Fact]
    public void Output_sizes_follow_PyTorch_including_ceil_mode()
    {
        Assert.Equal(new Shape(1, 1, 3, 3), Tensor.Zeros(1, 1, 6, 6).MaxPool2d(3, stride: 2, ceilMode: true).Shape);
        Assert.Equal(new Shape(1, 1, 2, 2), Tensor.Zeros(1, 1, 6, 6).MaxPool2d(3, stride: 2).Shape);
        Assert.Equal(new Shape(1, 1, 3, 3), Tensor.Zeros(1, 1, 5, 5).MaxPool2d(2, stride: 2, padding: 1, ceilMode: true).Shape);
        Assert.Equal(new Shape(1, 1, 56, 56), Tensor.Zeros(1, 1, 112, 112).MaxPool2d(3, stride: 2, padding: 1).Shape);
        Assert.Equal(new Shape(1, 1, 55, 55), Tensor.Zeros(1, 1, 111, 111).MaxPool2d(3, stride: 2, ceilMode: true).Shape); // SqueezeNet
    }

    [Fact]
    public void AvgPool2d_matches_hand_computed_divisors()
    {
        var x = Tensor.FromArray([1f, 2, 3, 4], 1, 1, 2, 2);
        // padding 1, kernel 2, stride 2: windows hold one input value each; divisor 4 with padding counted, else 1
        Assert.Equal(new float[] { 0.25f, 0.5f, 0.75f, 1f }, x.AvgPool2d(2, stride: 2, padding: 1).ToArray());
        Assert.Equal(new float[] { 1f, 2f, 3f, 4f }, x.AvgPool2d(2, stride: 2, padding: 1, countIncludePad: false).ToArray());
        Assert.Equal(new float[] { 2.5f }, x.GlobalAvgPool2d().ToArray());
        Assert.Equal(new float[] { 4f }, x.GlobalMaxPool2d().ToArray());
    }

    [Theory]
    [InlineData(7, 5, 3, 2)]
    [InlineData(5, 5, 5, 5)]
    [InlineData(4, 3, 7, 5)]
    [InlineData(13, 13, 1, 1)]
    public void AdaptiveAvgPool2d_matches_naive_bins_and_has_gradients(int h, int w, int oh, int ow)
    {
        var x = Tensor.Randn(new Shape(2, 3, h, w), 4);
        var y = x.AdaptiveAvgPool2d(oh, ow);
        Assert.Equal(new Shape(2, 3, oh, ow), y.Shape);
        GradCheck.Close(PoolNaive.Adaptive(x.ToArray(), 6, h, w, oh, ow), y.ToArray());
        GradCheck.Assert(t => t[0].AdaptiveAvgPool2d(oh, ow), [x]);
    }

    [Fact]
    public void Global_pools_have_gradients()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 2 * 3 * 4 * 5).Select(i => 0.05f * ((i * 37) % 120)).ToArray(), 2, 3, 4, 5);
        GradCheck.Assert(t => t[0].GlobalAvgPool2d(), [x]);
        GradCheck.Assert(t => t[0].GlobalMaxPool2d(), [x]);
        Assert.Equal(new Shape(2, 3, 1, 1), x.GlobalMaxPool2d().Shape);
    }

    [Fact]
    public void One_dimensional_pools_match_the_two_dimensional_ones()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 2 * 3 * 11).Select(i => 0.05f * ((i * 29) % 66)).ToArray(), 2, 3, 11);
        var max = x.MaxPool1d(3, stride: 2, padding: 1, dilation: 2, ceilMode: true);
        var max2 = x.Reshape(2, 3, 1, 11).MaxPool2d((1, 3), (1, 2), (0, 1, 0, 1), (1, 2), true);
        Assert.Equal(max2.ToArray(), max.ToArray());
        Assert.Equal(new Shape(2, 3, max2.Shape[3]), max.Shape);
        var avg = x.AvgPool1d(4, stride: 3, padding: 2, countIncludePad: false);
        var avg2 = x.Reshape(2, 3, 1, 11).AvgPool2d((1, 4), (1, 3), (0, 2, 0, 2), countIncludePad: false);
        Assert.Equal(avg2.ToArray(), avg.ToArray());
        GradCheck.Assert(t => t[0].MaxPool1d(3, stride: 2, padding: 1), [x]);
        GradCheck.Assert(t => t[0].AvgPool1d(3, stride: 2, padding: 1), [x]);
    }

    [Fact]
    public void Pools_reject_bad_arguments_naming_the_op_and_shape()
    {
        var x = Tensor.Zeros(1, 2, 5, 5);
        Assert.Contains("MaxPool2d: input must be [N, C, H, W], got [2, 5, 5]", Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 5, 5).MaxPool2d(2)).Message);
        Assert.Contains("kernel (0, 0)", Assert.Throws<ArgumentOutOfRangeException>(() => x.MaxPool2d(0)).Message);
        Assert.Contains("stride (0, 0)", Assert.Throws<ArgumentOutOfRangeException>(() => x.AvgPool2d(2, stride: 0)).Message);
        Assert.Contains("dilation (0, 0)", Assert.Throws<ArgumentOutOfRangeException>(() => x.MaxPool2d(2, dilation: 0)).Message);
        Assert.Contains("must not be negative", Assert.Throws<ArgumentOutOfRangeException>(() => x.AvgPool2d(2, padding: -1)).Message);
        Assert.Contains("smaller than the window", Assert.Throws<ArgumentException>(() => x.MaxPool2d(6)).Message);
        Assert.Contains("empty spatial", Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 2, 0, 5).GlobalAvgPool2d()).Message);
        Assert.Contains("Float32", Assert.Throws<ArgumentException>(() => Tensor.FromArray(new long[4], 1, 1, 2, 2).MaxPool2d(2)).Message);
        Assert.Contains("output size (0, 2)", Assert.Throws<ArgumentOutOfRangeException>(() => x.AdaptiveAvgPool2d(0, 2)).Message);
        Assert.Contains("AvgPool1d: input must be [N, C, L]", Assert.Throws<ArgumentException>(() => x.AvgPool1d(2)).Message);
    }
}
