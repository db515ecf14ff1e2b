using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The pointwise forward pass as one GEMM over the batch (<see cref="Gemm.MultiplyPlanes"/>: B packed
/// straight from the [N, K, P] input, C tiles written straight into [N, M, P], across image boundaries through the
/// scratch tile) gives bitwise the per-image products, with every epilogue, on every micro-kernel and thread count;
/// so does a single deep image's transposed product.</summary>
public class PointwiseBatchForwardTests
{
    private static readonly ConvActivation[] Activations =
    [
        new(ConvActivationKind.None),
        ConvActivation.Clamp(0f, null),          // ReLU
        ConvActivation.Clamp(0f, 6f),            // ReLU6 / Clip
        ConvActivation.Leaky(0.1f),
    ];

    // batch, K (input channels), M (output channels), height, width: M and K not multiples of 12 / 32, planes of 7×7
    // (a tile across each image boundary), 14×14, 5×5 (planes narrower than a tile: one tile spans three images),
    // K = 600 (two depth blocks: the scratch tile adds its block sum to C), batch 16 as in MobileNetV2's profile
    public static TheoryData<int, int, int, int, int> Shapes() => new()
    {
        { 2, 19, 13, 7, 7 },
        { 3, 37, 25, 7, 7 },
        { 16, 40, 37, 7, 7 },
        { 3, 600, 14, 7, 7 },
        { 2, 23, 29, 14, 14 },
        { 3, 9, 50, 5, 5 },
        { 2, 5, 3, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Batched_forward_equals_the_per_image_products_and_the_naive_loops(int batch, int k, int m, int height, int width)
    {
        var g = new ConvGeometry(batch, k, height, width, m, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Assert.True(ConvPointwiseForward.Batches(g));
        var x = Tensor.Randn(new Shape(batch, k, height, width), 21).ToArray();
        var w = Tensor.Randn(new Shape(m, k, 1, 1), 22).ToArray();
        var bias = Tensor.Randn(new Shape(m), 23).ToArray();
        bias[1] = 0f;
        Array.Clear(x, 0, k * g.InPlane);                    // image 0 all zeros: channel 1's ReLU/Clip input is 0, a tie
        var naive = new float[batch * m * g.OutPlane];
        ConvNaive.Forward(x, w, naive, g);
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                var plain = Run(x, w, g, default);
                GradCheck.Close(naive, plain, 1e-4f, 1e-4f);
                foreach (var activation in Activations)
                    foreach (var b in new[] { bias, null })
                    {
                        bool watch = activation.Kind == ConvActivationKind.Clamp;
                        var (ties, expectedTies) = watch ? (new ClampTies(m), new ClampTies(m)) : (null, null);
                        var actual = Run(x, w, g, new ConvEpilogue(b, activation, ties));
                        var expected = PerImage(x, w, g, new ConvEpilogue(b, activation, expectedTies));
                        AssertBitwise(expected, actual, $"{activation.Kind} bias={b is not null} threads={threads}");
                        if (watch)
                        {
                            Assert.Equal(expectedTies!.Channels(), ties!.Channels());
                            Assert.Contains(1, ties.Channels());     // u = +0 = lo on image 0's channel 1 (with or without bias)
                        }
                    }
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    /// <summary>A watched clamp in tiles across image boundaries (finished in the scratch tile, in registers, then copied
    /// piece by piece) looks for ties only in the columns written: past the last image the scratch holds 0 + bias = 0, a
    /// bound, which must not be reported. Planes of 5×4 (tiles of 0–32 and 32–60 each cross an image boundary, the second
    /// holds 28 columns), random inputs (no exact tie), then image 1 all zeros (u = bias: a tie only where the bias is 0).</summary>
    [Fact]
    public void A_watched_clamp_across_images_reports_ties_only_in_the_columns_written()
    {
        var g = new ConvGeometry(3, 7, 5, 4, 13, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Assert.True(ConvPointwiseForward.Batches(g));
        var x = Tensor.Randn(new Shape(3, 7, 5, 4), 31).ToArray();
        var w = Tensor.Randn(new Shape(13, 7, 1, 1), 32).ToArray();
        var bias = Enumerable.Range(0, 13).Select(c => c == 4 ? 0f : 0.5f).ToArray();
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                foreach (bool zeroImage in new[] { false, true })
                {
                    var input = (float[])x.Clone();
                    if (zeroImage) Array.Clear(input, 7 * g.InPlane, 7 * g.InPlane);
                    var ties = new ClampTies(13);
                    var expectedTies = new ClampTies(13);
                    var actual = Run(input, w, g, new ConvEpilogue(bias, ConvActivation.Clamp(0f, 6f), ties));
                    AssertBitwise(PerImage(input, w, g, new ConvEpilogue(bias, ConvActivation.Clamp(0f, 6f), expectedTies)), actual, $"zero image={zeroImage} threads={threads}");
                    Assert.Equal(zeroImage ? [4] : Array.Empty<int>(), ties.Channels());
                    Assert.Equal(expectedTies.Channels(), ties.Channels());
                }
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    /// <summary>Every micro-kernel (register tiles of 4, 16 and 32 columns), every thread split: the product over the
    /// planes equals each image's own packed product, bitwise, and overwrites every element of C.</summary>
    [Theory]
    [InlineData(3, 49, 14, 37)]
    [InlineData(4, 5, 13, 600)]
    [InlineData(2, 196, 26, 17)]
    public void Product_over_planes_equals_each_images_product_on_every_kernel(int batch, int plane, int m, int k)
    {
        var a = Tensor.Randn(new Shape(m, k), 31).ToArray();
        var b = Tensor.Randn(new Shape(batch, k, plane), 32).ToArray();
        var bias = Tensor.Randn(new Shape(m), 33).ToArray();
        var epilogue = new ConvEpilogue(bias, ConvActivation.Clamp(-0.5f, 0.5f));
        foreach (var path in GemmPaths.Packed)
        {
            var expected = new float[batch * m * plane];
            for (int n = 0; n < batch; n++)
                Gemm.Multiply(a, b.AsSpan(n * k * plane, k * plane), expected.AsSpan(n * m * plane, m * plane), m, plane, k, false, false, false, 1, path, epilogue);
            foreach (int threads in new[] { 1, 2 })
            {
                var actual = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                Gemm.MultiplyPlanes(a, null, b, actual, m, k, batch, plane, threads, path, epilogue);
                AssertBitwise(expected, actual, $"{path} threads={threads}");
                using var packed = GemmPackedA.Pack(a, m, k, false, path, threads);
                Array.Fill(actual, float.NaN);
                Gemm.MultiplyPlanes(a, packed, b, actual, m, k, batch, plane, threads, path, epilogue);
                AssertBitwise(expected, actual, $"{path} threads={threads}, A packed");
            }
        }
    }

    /// <summary>Packing from the planes lays out the panels PackB writes from the gathered [K, N·P] matrix, from any
    /// first column (a thread's slab), with the padding past the last column zero.</summary>
    [Theory]
    [InlineData(49, 3, 0, 147, 32)]
    [InlineData(49, 3, 32, 100, 32)]
    [InlineData(5, 7, 4, 29, 16)]
    [InlineData(196, 2, 0, 392, 4)]
    public unsafe void Packing_from_planes_equals_packing_the_gathered_matrix(int plane, int batch, int firstCol, int nc, int nr)
    {
        const int kc = 11;
        var planes = Tensor.Randn(new Shape(batch, kc, plane), 41).ToArray();
        int columns = batch * plane, padded = (nc + nr - 1) / nr * nr;
        var gathered = new float[kc * columns];
        for (int n = 0; n < batch; n++)
            for (int p = 0; p < kc; p++)
                planes.AsSpan((n * kc + p) * plane, plane).CopyTo(gathered.AsSpan(p * columns + n * plane));
        var expected = new float[kc * padded];
        var actual = Enumerable.Repeat(float.NaN, kc * padded + 3).ToArray();
        fixed (float* g = gathered, e = expected, s = planes, d = actual)
        {
            GemmPacking.PackB(g + firstCol, columns, false, kc, nc, nr, e);
            GemmPacking.PackBPlanes(s, plane, (nint)kc * plane, plane, firstCol, kc, nc, nr, d);
        }
        AssertBitwise(expected, actual[..expected.Length], "packed panels");
        Assert.All(actual[expected.Length..], v => Assert.True(float.IsNaN(v)));
    }

    /// <summary>One deep image on a small plane: the transposed product Yᵀ = Xᵀ·Wᵀ, transposed back, then the
    /// epilogue, is bitwise the direct product with the epilogue in its tiles (one and two depth blocks).</summary>
    [Theory]
    [InlineData(320, 13, 7, 7)]
    [InlineData(600, 37, 7, 7)]
    [InlineData(520, 2, 5, 5)]
    [InlineData(513, 25, 1, 2)]
    public void Transposed_single_image_forward_equals_the_direct_product(int k, int m, int height, int width)
    {
        var g = new ConvGeometry(1, k, height, width, m, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Assert.True(ConvPointwiseForward.Transposes(g, 1));
        Assert.False(ConvPointwiseForward.Transposes(g, 2));      // on two threads the direct product runs
        int plane = g.OutPlane;
        var x = Tensor.Randn(new Shape(1, k, height, width), 24).ToArray();
        var w = Tensor.Randn(new Shape(m, k, 1, 1), 25).ToArray();
        var bias = Tensor.Randn(new Shape(m), 26).ToArray();
        bias[1] = 0f;
        Array.Clear(w, k, k);                                      // filter 1 all zeros, bias 0: u = +0 = lo, a tie
        var naive = new float[m * plane];
        ConvNaive.Forward(x, w, naive, g);
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                GradCheck.Close(naive, Run(x, w, g, default), 1e-4f, 1e-4f);
                foreach (var activation in Activations)
                    foreach (var b in new[] { bias, null })
                    {
                        bool watch = activation.Kind == ConvActivationKind.Clamp;
                        var (ties, expectedTies) = watch ? (new ClampTies(m), new ClampTies(m)) : (null, null);
                        var actual = Run(x, w, g, new ConvEpilogue(b, activation, ties));
                        var expected = new float[m * plane];
                        Gemm.Multiply(w, x, expected, m, plane, k, false, false, false, 1, GemmPath.Auto, new ConvEpilogue(b, activation, expectedTies));
                        AssertBitwise(expected, actual, $"{activation.Kind} bias={b is not null} threads={threads}");
                        if (watch)
                        {
                            Assert.Equal(expectedTies!.Channels(), ties!.Channels());
                            Assert.Contains(1, ties.Channels());
                        }
                    }
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Fact]
    public void Only_deep_single_images_of_small_planes_take_the_transposed_product()
    {
        static ConvGeometry Pointwise(int batch, int c, int side, int o) => new(batch, c, side, side, o, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Assert.True(ConvPointwiseForward.Transposes(Pointwise(1, 960, 7, 160), 1));
        Assert.True(ConvPointwiseForward.Transposes(Pointwise(1, 576, 7, 160), 1));
        Assert.True(ConvPointwiseForward.Transposes(Pointwise(1, 320, 7, 1280), 1));
        Assert.False(ConvPointwiseForward.Transposes(Pointwise(1, 160, 7, 960), 1));    // shallow: the pass back costs as much
        Assert.False(ConvPointwiseForward.Transposes(Pointwise(1, 576, 14, 96), 1));    // 196 positions fill their tiles
        Assert.False(ConvPointwiseForward.Transposes(Pointwise(2, 960, 7, 160), 1));    // several images: one GEMM over the batch
        Assert.False(ConvPointwiseForward.Transposes(Pointwise(1, 960, 7, 1), 1));      // one row: dot products
        Assert.False(ConvPointwiseForward.Transposes(Pointwise(1, 1280, 1, 1000), 1));  // one column: dot products
    }

    [Fact]
    public void Only_small_planes_of_several_images_and_channels_are_batched()
    {
        static ConvGeometry Pointwise(int batch, int c, int side, int o, int groups = 1) => new(batch, c, side, side, o, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, groups);
        Assert.True(ConvPointwiseForward.Batches(Pointwise(16, 960, 7, 160)));
        Assert.True(ConvPointwiseForward.Batches(Pointwise(2, 8, 14, 8)));
        Assert.False(ConvPointwiseForward.Batches(Pointwise(1, 960, 7, 160)));     // one image: nothing to batch
        Assert.False(ConvPointwiseForward.Batches(Pointwise(16, 8, 28, 8)));       // 784 positions: per image
        Assert.False(ConvPointwiseForward.Batches(Pointwise(16, 8, 7, 8, groups: 2)));
        Assert.False(ConvPointwiseForward.Batches(Pointwise(16, 8, 7, 1)));        // one row: dot products per image
        Assert.False(ConvPointwiseForward.Batches(Pointwise(16, 8, 1, 8)));        // one column: dot products per image
        Assert.False(ConvPointwiseForward.Batches(new ConvGeometry(2, 8, 7, 7, 8, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1)));   // strided
    }

    private static float[] Run(float[] x, float[] w, in ConvGeometry g, in ConvEpilogue epilogue)
    {
        var y = Enumerable.Repeat(float.NaN, g.Batch * g.OutChannels * g.OutPlane).ToArray();   // every element written
        Conv2dKernel.Forward(x, w, y, g, epilogue);
        return y;
    }

    /// <summary>The convolution image by image (batch 1: the per-image GEMM path).</summary>
    private static float[] PerImage(float[] x, float[] w, in ConvGeometry g, in ConvEpilogue epilogue)
    {
        var single = g with { Batch = 1 };
        Assert.False(ConvPointwiseForward.Batches(single));
        int input = g.InChannels * g.InPlane, output = g.OutChannels * g.OutPlane;
        var y = new float[g.Batch * output];
        for (int n = 0; n < g.Batch; n++)
        {
            var yn = new float[output];
            Conv2dKernel.Forward(x.AsSpan(n * input, input).ToArray(), w, yn, single, epilogue);
            yn.CopyTo(y, n * output);
        }
        return y;
    }

    private static void AssertBitwise(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{what}: element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
