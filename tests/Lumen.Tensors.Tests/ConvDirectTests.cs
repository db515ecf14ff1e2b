using System.Runtime.Intrinsics.X86;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The direct convolution of shallow layers (<see cref="ConvDirect"/>) against the im2col + GEMM path it
/// replaces (bitwise) and the naive loops: strides 1, 2 and 3, padding 0 and 1 and asymmetric, odd and even sizes,
/// 1, 3 and 4 input channels, channel counts that do not fill a tile, every epilogue, batch 1 and 3, 1 and 2 threads.</summary>
public class ConvDirectTests
{
    // N, C, H, W, O, kh, kw, sh, sw, top, left, bottom, right, dh, dw (one group)
    public static IEnumerable<object[]> Geometries() => new int[][]
    {
        [1, 3, 24, 24, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1],      // MobileNetV2's first layer, shrunk: even size, pad 1
        [3, 3, 23, 23, 64, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1],      // SqueezeNet's, shrunk: odd size, pad 0, batch 3
        [1, 3, 33, 70, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],      // Tiny Darknet's: stride 1, two tiles and a ragged one
        [3, 1, 9, 40, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1],        // one input channel, a partial channel tile
        [1, 4, 10, 37, 9, 2, 2, 2, 2, 0, 1, 1, 0, 1, 1],       // four input channels, 2×2, asymmetric padding, 8 + 1 channels
        [1, 4, 12, 35, 12, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1],      // four input channels 3×3 (K = 36), strides 1 × 2
        [1, 2, 11, 50, 7, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1],       // stride 3: the general phase split
        [1, 3, 15, 44, 8, 3, 3, 2, 2, 2, 1, 0, 3, 2, 2],       // dilated, asymmetric padding
        [2, 3, 9, 8, 4, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1],         // an input column no tap reads
        [1, 3, 70, 101, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1],     // several bands, a long odd row (vector split and tail)
        [2, 3, 20, 41, 10, 1, 1, 2, 2, 1, 1, 0, 0, 1, 1],      // 1×1 with stride and padding
        [1, 1, 17, 17, 8, 5, 5, 2, 2, 3, 3, 3, 3, 1, 1],       // 5×5 on one channel, padding beyond the kernel's reach
    }.Select(a => new object[] { a });

    private static ConvGeometry Geometry(int[] a) => new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], 1);

    internal static readonly ConvActivation[] Activations =
    [
        new(ConvActivationKind.None),
        ConvActivation.Clamp(0f, null),          // ReLU
        ConvActivation.Clamp(0f, 6f),            // ReLU6
        ConvActivation.Leaky(0.1f),
    ];

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Direct_equals_the_im2col_path_bitwise_and_the_naive_loops(int[] args)
    {
        var g = Geometry(args);
        Assert.True(Gemm.BestPath != GemmPath.Scalar, "this machine has neither AVX-512 nor AVX2 with FMA: no direct kernel to test.");
        Assert.True(ConvDirect.Applies(g));
        var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), 1).ToArray();
        var w = Tensor.Randn(new Shape(g.OutChannels, g.InChannels, g.KernelHeight, g.KernelWidth), 2).ToArray();
        var bias = Tensor.Randn(new Shape(g.OutChannels), 3).ToArray();
        var naive = new float[g.Batch * g.OutChannels * g.OutPlane];
        ConvNaive.Forward(x, w, naive, g);
        foreach (var activation in Activations)
            foreach (var b in new[] { null, bias })
            {
                var epilogue = new ConvEpilogue(b, activation);
                var expected = Im2ColForward(x, w, g, epilogue);
                foreach (int threads in new[] { 1, 2 })
                {
                    var y = Direct(x, w, g, epilogue, threads);
                    Assert.True(expected.AsSpan().SequenceEqual(y), $"{activation.Kind} bias {b is not null} on {threads} threads: not the im2col path's values");
                }
            }
        GradCheck.Close(naive, Direct(x, w, g, default, 1), 1e-4f, 1e-4f);
    }

    /// <summary>19 output columns run a full tile masked to 19; 15 the half tile of one vector.</summary>
    [Theory]
    [InlineData(37)]
    [InlineData(29)]
    public void A_watched_clamp_reports_the_ties_of_the_im2col_path(int width)
    {
        var g = Geometry([2, 3, 20, width, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1]);
        var x = Tensor.Randn(new Shape(2, 3, 20, width), 4).ToArray();
        Array.Clear(x, 0, 3 * 20 * width);                                           // image 0 all zeros: u = bias exactly
        var w = Tensor.Randn(new Shape(12, 3, 3, 3), 5).ToArray();
        var bias = Tensor.Randn(new Shape(12), 6).ToArray();
        bias[2] = 0f;                                                                // ties with the lower bound
        bias[7] = 6f;                                                                // with the upper one
        bias[10] = -0f;
        var oldTies = new ClampTies(12);
        var newTies = new ClampTies(12);
        var expected = Im2ColForward(x, w, g, new ConvEpilogue(bias, ConvActivation.Clamp(0f, 6f), oldTies));
        var y = Direct(x, w, g, new ConvEpilogue(bias, ConvActivation.Clamp(0f, 6f), newTies), 2);
        Assert.True(expected.AsSpan().SequenceEqual(y));
        Assert.Equal(new[] { 2, 7, 10 }, oldTies.Channels());
        Assert.Equal(oldTies.Channels(), newTies.Channels());
    }

    [Fact]
    public void Padding_taps_multiply_zeros_as_the_column_matrix_does()
    {
        // an infinite weight on a tap that reads padding gives NaN (∞ · 0) in both paths; NaN inputs propagate
        var g = Geometry([1, 3, 12, 40, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1]);
        var x = Tensor.Randn(new Shape(1, 3, 12, 40), 7).ToArray();
        var w = Tensor.Randn(new Shape(9, 3, 3, 3), 8).ToArray();
        w[4 * 27] = float.PositiveInfinity;                                           // channel 4, tap (0, 0, 0)
        x[1 * 480 + 5 * 40 + 17] = float.NaN;
        x[2 * 480 + 7 * 40 + 3] = float.NegativeInfinity;
        var expected = Im2ColForward(x, w, g, default);
        var y = Direct(x, w, g, default, 1);
        Assert.True(float.IsNaN(y[4 * g.OutPlane]));                                  // output (0, 0) reads padding with tap (0, 0)
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Stride_two_padding_one_matches_a_hand_computed_example()
    {
        // x = 1 … 16 in a 4×4 plane, 3×3 boxes of ones and of twos (one channel would be depthwise), stride 2,
        // padding 1: each output sums the inputs under its window — rows and columns {0, 1} or {1, 2, 3}
        var g = new ConvGeometry(1, 1, 4, 4, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);
        var x = Enumerable.Range(1, 16).Select(v => (float)v).ToArray();
        var w = Enumerable.Repeat(1f, 9).Concat(Enumerable.Repeat(2f, 9)).ToArray();
        var y = Direct(x, w, g, new ConvEpilogue([0.5f, -1f]), 1);
        Assert.Equal(new[] { 14.5f, 30.5f, 57.5f, 99.5f, 27f, 59f, 113f, 197f }, y);
    }

    [Fact]
    public void Applies_to_shallow_ungrouped_layers_only()
    {
        var mobileNet = new ConvGeometry(1, 3, 224, 224, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);
        Assert.Equal(Gemm.BestPath is GemmPath.Vector512 or GemmPath.Vector256, ConvDirect.Applies(mobileNet));
        Assert.False(ConvDirect.Applies(mobileNet with { InChannels = 32, OutChannels = 32, Groups = 32 }));            // depthwise
        Assert.False(ConvDirect.Applies(mobileNet with { InChannels = 6, Groups = 2 }));                                // grouped
        Assert.False(ConvDirect.Applies(mobileNet with { InChannels = ConvDirect.MaxDepth / 9 + 1 }));                  // too deep
        Assert.False(ConvDirect.Applies(mobileNet with { PadLeft = -1 }));
        Assert.False(ConvDirect.Applies(mobileNet with { KernelHeight = 1, KernelWidth = 1, StrideH = 1, StrideW = 1, PadTop = 0, PadLeft = 0, PadBottom = 0, PadRight = 0 }));
        Assert.Throws<ArgumentException>(() => ConvDirect.Forward(new float[6 * 4], new float[12], new float[4], new ConvGeometry(1, 6, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2), default));
        if (ConvDirect.Applies(mobileNet))
        {
            var small = mobileNet with { InHeight = 8, InWidth = 8 };                                                // output [1, 32, 4, 4]
            Assert.Throws<ArgumentException>(() => ConvDirect.Forward(new float[3 * 64], new float[32 * 27], new float[32 * 16 - 1], small, default));
            Assert.Throws<ArgumentException>(() => ConvDirect.Forward(new float[3 * 64 - 1], new float[32 * 27], new float[32 * 16], small, default));
        }
    }

    [Fact]
    public void Conv2d_kernel_dispatches_shallow_layers_to_the_direct_kernel()
    {
        var g = Geometry([1, 3, 30, 30, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1]);
        var x = Tensor.Randn(new Shape(1, 3, 30, 30), 9).ToArray();
        var w = Tensor.Randn(new Shape(16, 3, 3, 3), 10).ToArray();
        var y = new float[16 * g.OutPlane];
        Conv2dKernel.Forward(x, w, y, g);
        Assert.Equal(Direct(x, w, g, default, 1), y);
    }

    [Theory]
    [InlineData(40, 80)]      // two permuted vectors and a scalar tail of 8
    [InlineData(40, 79)]      // the last source column is 78: the second vector would read 79, so 16 + 24 one by one
    [InlineData(16, 31)]      // one vector would read 32 columns: all one by one
    [InlineData(7, 100)]
    [InlineData(0, 0)]
    public unsafe void Every_other_takes_the_even_columns(int count, int readable)
    {
        var source = Enumerable.Range(0, readable).Select(v => (float)v).ToArray();
        var target = Enumerable.Repeat(float.NaN, count + 3).ToArray();
        fixed (float* s = source, t = target) Im2Col.EveryOther(s, count, readable, t);
        Assert.Equal(Enumerable.Range(0, count).Select(k => 2f * k), target[..count]);
        Assert.All(target[count..], v => Assert.True(float.IsNaN(v)));
    }

    private static float[] Direct(float[] x, float[] w, in ConvGeometry g, in ConvEpilogue epilogue, int threads)
    {
        var y = Enumerable.Repeat(float.NaN, g.Batch * g.OutChannels * g.OutPlane).ToArray();   // every output must be written
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = threads;
            ConvDirect.Forward(x, w, y, g, epilogue);
        }
        finally { Parallelism.MaxDegree = saved; }
        return y;
    }

    /// <summary>The path <see cref="Conv2dKernel.Forward"/> took before: im2col into packed panels, then the GEMM on the
    /// machine's widest kernel (AVX-512 or AVX2, whose values the direct tiles reproduce), per image.</summary>
    private static float[] Im2ColForward(float[] x, float[] w, in ConvGeometry g, in ConvEpilogue epilogue)
    {
        int k = g.ColumnRows, width = g.OutPlane, plane = g.InChannels * g.InPlane, output = g.OutChannels * g.OutPlane;
        var (depthBlock, nr) = Gemm.PanelShapeB(Gemm.BestPath, k);
        var y = new float[g.Batch * output];
        for (int n = 0; n < g.Batch; n++)
        {
            var cols = GemmBuffers.Columns(k * ((width + nr - 1) / nr * nr));
            Im2Col.FillPacked(x.AsSpan(n * plane, plane), cols, g, 0, g.OutHeight, depthBlock, nr);
            Gemm.MultiplyPackedB(w, null, cols, y.AsSpan(n * output, output), width, g.OutChannels, width, k, false, false, 1, Gemm.BestPath, epilogue);
        }
        return y;
    }
}
