using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The input gradient of a convolution that applies its activation's mask as it reads the output gradient
/// (<see cref="Conv2dKernel.FusesMask"/>: packed B of a pointwise product, the batched pointwise gather, the masked loads
/// of the 3×3 depthwise row kernels) equals the input gradient of the masked gradient bitwise: on edge values of y and g (bounds, ±0,
/// ±∞, NaN), in tied channels, for ReLU and clamps, at batch 1 and 3, on ragged planes and column blocks, on one thread
/// and three; and through autograd, an input-only gradient of Conv2dClamped / Conv2dRectified equals the two ops'.</summary>
public sealed class ConvMaskFusionTests
{
    // N, C, H, W, O, k, stride, pad, groups — every one takes a fused path
    public static TheoryData<int[]> Fused() => new()
    {
        { [1, 5, 7, 9, 6, 1, 1, 0, 1] },       // pointwise, one image: packed B, a ragged 63-column panel (on 3 threads, 3 blocks)
        { [3, 5, 11, 13, 7, 1, 1, 0, 1] },     // pointwise per image (143 > MaxBatchedPlane), batch 3
        { [1, 3, 5, 5, 600, 1, 1, 0, 1] },     // pointwise: two depth blocks of packed B
        { [2, 8, 6, 6, 12, 1, 1, 0, 2] },      // pointwise, two groups
        { [3, 6, 7, 7, 10, 1, 1, 0, 1] },      // pointwise over the batch (49 positions): masked as gathered
        { [1, 2, 41, 41, 1300, 1, 1, 0, 1] },  // pointwise: more than 2²¹ floats of masked B, in two column blocks
    };

    // 3×3 depthwise layers whose row kernels read planes of dy masked just before (AVX-512 or AVX2, planes of dy up to
    // 1024 values): stride 1 through the adjoint forward (4-row blocks and leftover rows, ragged vectors, adjoint padding
    // 0–2), stride 2 (odd and even sizes, padding 0 and 1)
    public static TheoryData<int[]> FusedDepthwise() => new()
    {
        { [3, 4, 12, 12, 4, 3, 1, 1, 4] },
        { [1, 5, 17, 23, 5, 3, 1, 1, 5] },
        { [2, 2, 14, 14, 2, 3, 1, 0, 2] },
        { [1, 3, 10, 37, 3, 3, 1, 2, 3] },
        { [2, 4, 25, 34, 4, 3, 2, 1, 4] },
        { [1, 3, 20, 40, 3, 3, 2, 1, 3] },
        { [3, 3, 31, 31, 3, 3, 2, 0, 3] },
    };

    // the same layers through autograd, a depthwise one on narrow planes (channels-last: not fused, the separate mask
    // pass) and a grouped one
    public static TheoryData<int[]> Layers()
    {
        var data = new TheoryData<int[]>();
        foreach (var a in Fused()) data.Add(a);
        foreach (var a in FusedDepthwise()) data.Add(a);
        data.Add([2, 16, 7, 7, 16, 3, 1, 1, 16]);
        data.Add([2, 4, 9, 9, 4, 3, 1, 1, 2]);
        return data;
    }

    private static readonly float[] Edges = [0f, -0f, 6f, -6f, 1e-30f, float.Epsilon, -float.Epsilon, MathF.BitIncrement(6f), MathF.BitDecrement(6f),
        float.PositiveInfinity, float.NegativeInfinity, float.NaN];

    private static ConvGeometry Geometry(int[] a) => new(a[0], a[1], a[2], a[3], a[4], a[5], a[5], a[6], a[6], a[7], a[7], a[7], a[7], 1, 1, a[8]);

    private static float[] Values(int length, int seed, float[] edges, int every)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = i % every == 0 ? edges[random.Next(edges.Length)] : (float)(random.NextDouble() * 9 - 1.5);
        return values;
    }

    [Theory]
    [MemberData(nameof(Fused))]
    public void The_masked_input_gradient_equals_the_input_gradient_of_the_masked_gradient_bitwise(int[] a) => AssertMaskedEqualsMaskedFirst(Geometry(a));

    [Theory]
    [MemberData(nameof(FusedDepthwise))]
    public void The_masked_depthwise_input_gradient_equals_the_input_gradient_of_the_masked_gradient_bitwise(int[] a)
    {
        if (!DepthwiseConv3x3.Applies(Geometry(a)) && !DepthwiseConv3x3Avx2.Applies(Geometry(a))) return;   // neither: the separate pass
        AssertMaskedEqualsMaskedFirst(Geometry(a));
    }

    [Fact]
    public void The_masked_depthwise_input_gradient_is_bitwise_with_uneven_padding()
    {
        // N, C, H, W, O, kh, kw, sh, sw, top, left, bottom, right: TensorFlow's "same" stride 2, and stride 1 shifted
        var geometries = new ConvGeometry[]
        {
            new(2, 3, 24, 36, 3, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 3),
            new(1, 3, 19, 21, 3, 3, 3, 2, 2, 1, 0, 0, 1, 1, 1, 3),
            new(2, 3, 13, 18, 3, 3, 3, 1, 1, 2, 0, 0, 2, 1, 1, 3),
        };
        foreach (var g in geometries)
            if (DepthwiseConv3x3.Applies(g) || DepthwiseConv3x3Avx2.Applies(g)) AssertMaskedEqualsMaskedFirst(g);
    }

    private static void AssertMaskedEqualsMaskedFirst(ConvGeometry g)
    {
        Assert.True(Conv2dKernel.FusesMask(g), $"{g} should take a fused path");
        int outSize = g.Batch * g.OutChannels * g.OutPlane, inSize = g.Batch * g.InChannels * g.InPlane;
        var y = Values(outSize, 1, Edges, 3);
        var dy = Values(outSize, 2, [-0f, 0f, float.NaN, 3f], 7);
        var w = Values(g.OutChannels * g.InPerGroup * g.KernelHeight * g.KernelWidth, 3, [0f], 1000);
        int[] tied = g.OutChannels > 2 ? [1, g.OutChannels - 1] : [1];
        var u = Values(g.Batch * tied.Length * g.OutPlane, 4, Edges, 2);
        foreach (var mask in new[]
        {
            ActivationMask.Clamp(y, g.OutChannels, g.OutPlane, 0f, 6f),
            ActivationMask.Clamp(y, g.OutChannels, g.OutPlane, 0f, 6f, tied, u),
            ActivationMask.Clamp(y, g.OutChannels, g.OutPlane, float.NegativeInfinity, 6f),
            ActivationMask.Positive(y, g.OutChannels, g.OutPlane),
        })
        {
            var masked = new float[outSize];
            mask.Apply(dy, masked);
            var expected = new float[inSize];
            Conv2dKernel.BackwardInput(masked, w, expected, g);
            foreach (int threads in new[] { 1, 3 })
            {
                int saved = Parallelism.MaxDegree;
                Parallelism.MaxDegree = threads;
                try
                {
                    var actual = Values(inSize, 5, [float.NaN], 1);                  // overwritten
                    Conv2dKernel.BackwardInput(dy, w, actual, g, mask);
                    for (int i = 0; i < inSize; i++)
                        Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                            $"{g}, {threads} threads, element {i}: fused {actual[i]}, masked first {expected[i]}");
                }
                finally { Parallelism.MaxDegree = saved; }
            }
        }
    }

    [Fact]
    public void Paths_that_cannot_mask_as_they_read_refuse_a_mask()
    {
        var im2col = Geometry([1, 3, 6, 6, 4, 3, 1, 1, 1]);
        var depthwise = Geometry([1, 16, 7, 7, 16, 3, 1, 1, 16]);                // channels-last tiles (7 ≤ 8 columns)
        var depthwise5 = Geometry([1, 4, 12, 12, 4, 5, 1, 2, 4]);                // 5×5: the general depthwise paths
        var wide = Geometry([1, 2, 40, 40, 2, 3, 1, 1, 2]);                       // planes of 1600 > 1024: the separate pass
        var oneChannel = Geometry([1, 1, 5, 5, 4, 1, 1, 0, 1]);                   // a GEMM of one row runs as dot products
        var onePosition = Geometry([1, 6, 1, 1, 4, 1, 1, 0, 1]);                  // a GEMM of one column, likewise
        foreach (var g in new[] { im2col, depthwise, depthwise5, wide, oneChannel, onePosition })
        {
            if (g == depthwise && DepthwiseConv3x3Avx2.Applies(g)) continue;     // AVX2 runs narrow planes in the row kernel, which masks
            Assert.False(Conv2dKernel.FusesMask(g), $"{g}");
            var mask = ActivationMask.Positive(new float[g.Batch * g.OutChannels * g.OutPlane], g.OutChannels, g.OutPlane);
            var error = Assert.Throws<ArgumentException>(() => Conv2dKernel.BackwardInput(new float[g.Batch * g.OutChannels * g.OutPlane],
                new float[g.OutChannels * g.InPerGroup * g.KernelHeight * g.KernelWidth], new float[g.Batch * g.InChannels * g.InPlane], g, mask));
            Assert.Contains("mask", error.Message);
        }
    }

    [Fact]
    public void The_masked_row_packer_writes_the_panels_packB_writes_from_the_masked_matrix()
    {
        foreach (int nr in new[] { 4, 16, 32 })
            for (int n = 0; n <= 70; n++)
            {
                const int kc = 3;
                var x = Values(n, n, Edges, 2);
                var g = Values(n, 100 + n, [-0f, float.NaN], 3);
                var masked = new float[kc * n];                                     // row 1 of a kc × n matrix: masked g
                GradientMasks.Clamp(x, g, float.Epsilon, 6f, masked.AsSpan(n, n));
                int padded = (n + nr - 1) / nr * nr;
                var expected = new float[kc * padded];
                var actual = Enumerable.Repeat(float.NaN, kc * padded).ToArray();
                unsafe
                {
                    fixed (float* pm = masked, pe = expected, px = x, pg = g, pa = actual)
                    {
                        GemmPacking.PackB(pm, n, false, kc, n, nr, pe);
                        GemmPacking.PackRowMasked(pg, px, float.Epsilon, 6f, n, nr, kc, pa + nr);
                    }
                }
                for (int panel = 0; panel < padded / nr; panel++)
                    for (int j = 0; j < nr; j++)
                    {
                        int at = panel * nr * kc + nr + j;                             // row 1 of the panel
                        Assert.True(BitConverter.SingleToInt32Bits(expected[at]) == BitConverter.SingleToInt32Bits(actual[at]),
                            $"nr {nr}, n {n}, panel {panel}, column {j}: {actual[at]}, expected {expected[at]}");
                    }
            }
    }

    public static TheoryData<int[], bool> FusedWithTies()
    {
        var data = new TheoryData<int[], bool>();
        foreach (var a in Layers())
        {
            data.Add(a, false);
            data.Add(a, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FusedWithTies))]
    public void Input_gradients_of_fused_clamps_and_rectifiers_equal_the_two_ops_bitwise(int[] a, bool ties)
    {
        var g = Geometry(a);
        var data = Tensor.Randn(new Shape(a[0], a[1], a[2], a[3]), seed: 1).ToArray();
        var bias = Tensor.Randn(new Shape(a[4]), seed: 3).ToArray();
        if (ties)
        {
            Array.Clear(data, 0, a[1] * a[2] * a[3]);                                // image 0 zero, channel 1's bias zero: u = 0 = lo
            bias[1] = 0f;
        }
        var x = Tensor.FromArray(data, a[0], a[1], a[2], a[3]).RequireGrad();
        var w = Tensor.Randn(new Shape(a[4], a[1] / a[8], a[5], a[5]), seed: 2).RequireGrad();
        var b = Tensor.FromArray(bias, a[4]).RequireGrad();
        (int, int) stride = (a[6], a[6]), dilation = (1, 1);
        var padding = (a[7], a[7], a[7], a[7]);
        var seed = Tensor.Randn(new Shape(a[0], a[4], g.OutHeight, g.OutWidth), seed: 4);
        foreach (var (fused, unfused) in new (Tensor, Tensor)[]
        {
            (x.Conv2dClamped(w, b, stride, padding, dilation, a[8], 0f, 6f), x.Conv2d(w, b, stride, padding, dilation, a[8]).Clamp(0f, 6f)),
            (x.Conv2dClamped(w, b, stride, padding, dilation, a[8], -0.5f, null), x.Conv2d(w, b, stride, padding, dilation, a[8]).Clamp(-0.5f, (float?)null)),
            (x.Conv2dRectified(w, b, stride, padding, dilation, a[8], 0f), x.Conv2d(w, b, stride, padding, dilation, a[8]).Relu()),
        })
        {
            bool grouped = a[8] != 1 && a[8] != a[1];                                 // ties there fall back to the two ops
            if (!(ties && grouped)) Assert.NotEqual("Clamp", fused.GradFn!.Op);
            FusedConvAssert.Bitwise(Gradients.Of(unfused * seed, x), Gradients.Of(fused * seed, x));
        }
    }
}
