using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>A convolution fused with a clamp (ReLU6, Clip) as one recorded op equals the convolution followed by
/// <see cref="Tensor.Clamp"/> bitwise — values, first-order gradients of input, weight and bias, second-order gradients —
/// through every kernel that applies the epilogue (GEMM tiles with full and ragged columns, the 3×3 depthwise kernels
/// of stride 1 and 2, the general depthwise path, grouped convolutions) — also when values land exactly on a bound (a zero
/// input through a zero bias, a bound reached exactly), where the gradient is 1: the channels concerned are computed again
/// (bitwise, by the same kernels), and a grouped convolution falls back to the two ops.</summary>
public class ConvClampedTests
{
    // N, C, H, W, O, kh, kw, stride, pad, groups
    public static IEnumerable<object[]> Cases() =>
        from geometry in new int[][]
        {
            [2, 5, 7, 7, 6, 3, 3, 1, 1, 1],      // GEMM path with padding (49 columns: a ragged tile)
            [1, 8, 6, 6, 8, 3, 3, 2, 1, 8],      // depthwise 3×3, stride 2
            [2, 8, 9, 9, 8, 3, 3, 1, 1, 8],      // depthwise 3×3, stride 1
            [1, 4, 9, 9, 4, 5, 5, 2, 2, 4],      // depthwise 5×5, strided (the general path)
            [2, 16, 5, 5, 12, 1, 1, 1, 0, 1],    // pointwise
            [1, 6, 8, 8, 4, 3, 3, 1, 0, 2],      // grouped
            [3, 19, 7, 7, 13, 1, 1, 1, 0, 1],    // pointwise, one GEMM over the batch (tiles across images)
        }
        from bounds in new (float?, float?)[] { (0f, 0.5f), (null, 0.25f), (-0.5f, null), (-0f, 1f) }
        from bias in new[] { true, false }
        select new object[] { geometry, bounds.Item1!, bounds.Item2!, bias };

    private static Tensor Unfused(Tensor x, Tensor w, Tensor? b, int[] a, float? min, float? max) =>
        x.Conv2d(w, b, (a[7], a[7]), (a[8], a[8], a[8], a[8]), (1, 1), a[9]).Clamp(min, max);

    private static Tensor Fused(Tensor x, Tensor w, Tensor? b, int[] a, float? min, float? max) =>
        x.Conv2dClamped(w, b, (a[7], a[7]), (a[8], a[8], a[8], a[8]), (1, 1), a[9], min, max);

    /// <summary>Asserts values, gradients of every operand (first order, and second order through the weight) bitwise.</summary>
    private static void AssertSameAsUnfused(Tensor x, Tensor w, Tensor? b, int[] a, float? min, float? max, string expectedOp)
    {
        var expected = Unfused(x, w, b, a, min, max);
        var fused = Fused(x, w, b, a, min, max);
        Assert.Equal(expectedOp, fused.GradFn!.Op);
        FusedConvAssert.SameAsUnfused(expected, fused, x, w, b);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_equal_the_convolution_then_the_clamp_bitwise(int[] a, float? min, float? max, bool withBias)
    {
        var x = Tensor.Randn(new Shape(a[0], a[1], a[2], a[3]), seed: 1).RequireGrad();
        var w = Tensor.Randn(new Shape(a[4], a[1] / a[9], a[5], a[6]), seed: 2).RequireGrad();
        var b = withBias ? Tensor.Randn(new Shape(a[4]), seed: 3).RequireGrad() : null;
        // random values meet no bound, and the lanes past a ragged row (bias + 0, here 0 = the bound) are not looked at
        AssertSameAsUnfused(x, w, b, a, min, max, "Conv2dClamped");
    }

    [Theory]
    [InlineData(0, 0, "Conv2dClamped")]     // GEMM
    [InlineData(0, 5, "Conv2dClamped")]
    [InlineData(1, 0, "Conv2dClamped")]     // depthwise 3×3 stride 2
    [InlineData(1, 7, "Conv2dClamped")]
    [InlineData(2, 3, "Conv2dClamped")]     // depthwise 3×3 stride 1
    [InlineData(3, 0, "Conv2dClamped")]     // depthwise general
    [InlineData(4, 0, "Conv2dClamped")]     // pointwise: channels 0 and 1 computed again
    [InlineData(4, 11, "Conv2dClamped")]    // pointwise: channels 0 and 11
    [InlineData(5, 1, "Clamp")]             // grouped: two ops
    [InlineData(6, 7, "Conv2dClamped")]     // pointwise over the batch: channels 0 and 7 computed again
    public void A_zero_input_through_a_zero_bias_ties_with_the_lower_bound_and_keeps_the_gradient_there(int geometry, int channel, string op)
    {
        var a = (int[])Cases().ElementAt(geometry * 8)[0];
        AssertTiesKeepTheGradient(a, channel, op);
    }

    [Fact]
    public void A_single_input_channel_convolution_with_one_tied_channel_keeps_the_gradient()
    {
        AssertTiesKeepTheGradient([2, 1, 6, 6, 5, 3, 3, 1, 1, 1], 2, "Conv2dClamped");
    }

    public static TheoryData<int[], int[]> Subsets() => new()
    {
        { [2, 16, 5, 5, 12, 1, 1, 1, 0, 1], [3] },           // pointwise, one channel: a GEMM of one row would be dot products
        { [2, 16, 5, 5, 12, 1, 1, 1, 0, 1], [0] },
        { [2, 16, 5, 5, 12, 1, 1, 1, 0, 1], [2, 5, 11] },
        { [2, 1, 6, 6, 5, 3, 3, 1, 1, 1], [4] },             // C = 1: one output channel alone would be depthwise
        { [2, 5, 7, 7, 6, 3, 3, 1, 1, 1], [1, 4] },          // im2col GEMM
        { [2, 8, 9, 9, 8, 3, 3, 1, 1, 8], [6] },             // depthwise 3×3
        { [1, 4, 9, 9, 4, 5, 5, 2, 2, 4], [0, 3] },          // depthwise general
    };

    [Theory]
    [MemberData(nameof(Subsets))]
    public void Preactivations_computed_again_for_some_channels_equal_the_whole_convolution_bitwise(int[] a, int[] channels)
    {
        var x = Tensor.Randn(new Shape(a[0], a[1], a[2], a[3]), seed: 11);
        var w = Tensor.Randn(new Shape(a[4], a[1] / a[9], a[5], a[6]), seed: 12);
        var b = Tensor.Randn(new Shape(a[4]), seed: 13);
        var whole = x.Conv2d(w, b, (a[7], a[7]), (a[8], a[8], a[8], a[8]), (1, 1), a[9]);
        var g = new ConvGeometry(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[7], a[8], a[8], a[8], a[8], 1, 1, a[9]);
        var tied = Tensor.TiedPreactivations(x, w, b, g, channels)!;
        Assert.Subset(tied.Channels.ToHashSet(), channels.ToHashSet());
        var expected = whole.ToArray();
        int plane = whole.Shape[2] * whole.Shape[3], count = tied.Channels.Length;
        for (int n = 0; n < a[0]; n++)
            for (int j = 0; j < count; j++)
                for (int i = 0; i < plane; i++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected[(n * a[4] + tied.Channels[j]) * plane + i]),
                        BitConverter.SingleToInt32Bits(tied.Preactivation[(n * count + j) * plane + i]));
    }

    /// <summary>Image 0 all zeros and channel <paramref name="channel"/>'s bias 0: u = +0 = lo throughout that plane.</summary>
    private static void AssertTiesKeepTheGradient(int[] a, int channel, string op)
    {
        var x = Tensor.Randn(new Shape(a[0], a[1], a[2], a[3]), seed: 1);
        var data = x.ToArray();
        Array.Clear(data, 0, a[1] * a[2] * a[3]);
        x = Tensor.FromArray(data, a[0], a[1], a[2], a[3]).RequireGrad();
        var w = Tensor.Randn(new Shape(a[4], a[1] / a[9], a[5], a[6]), seed: 2).RequireGrad();
        var bias = Tensor.Randn(new Shape(a[4]), seed: 3).ToArray();
        bias[channel] = 0f;
        var b = Tensor.FromArray(bias, a[4]).RequireGrad();
        AssertSameAsUnfused(x, w, b, a, 0f, 6f, op);
        AssertSameAsUnfused(x, w, null, a, 0f, 6f, op);                                          // u = 0 everywhere in image 0
        // the gradient does pass where u = 0: seeding only the tied plane of image 0 reaches the bias
        var seed = Tensor.Zeros(a[0], a[4], 1, 1).ToArray();
        seed[channel] = 1f;
        var fused = Fused(x, w, b, a, 0f, 6f);
        var db = Gradients.Of((fused * Tensor.FromArray(seed, a[0], a[4], 1, 1)).Sum(), b).ToArray();
        Assert.Equal(fused.Shape[2] * fused.Shape[3], db[channel]);                              // 1 at each u = 0 (0 from lo < y)
    }

    [Fact]
    public void An_output_exactly_on_the_upper_bound_falls_back_and_keeps_the_gradient_there()
    {
        // 1×1 convolution: u = 2·x + b, with x = 3, b = 0 giving u = 6 = hi exactly (gradient 1, not 0)
        float[] values = [3f, 1f, 5f, -1f, 2.5f, 3f, 0.25f, 4f, 2f];
        var x = Tensor.FromArray(values, 1, 1, 3, 3).RequireGrad();
        var w = Tensor.FromArray([2f], 1, 1, 1, 1).RequireGrad();
        var b = Tensor.FromArray([0f], 1).RequireGrad();
        int[] a = [1, 1, 3, 3, 1, 1, 1, 1, 0, 1];
        AssertSameAsUnfused(x, w, b, a, 0f, 6f, "Conv2dClamped");
        var dx = Gradients.Of(Fused(x, w, b, a, 0f, 6f).Sum(), x).ToArray();
        Assert.Equal([2f, 2f, 0f, 0f, 2f, 2f, 2f, 0f, 2f], dx);                                  // u = 6 inside, 10 and 8 outside
        AssertSameAsUnfused(x, w, b, a, 0f, 7f, "Conv2dClamped");                                 // no tie with hi = 7
    }

    [Fact]
    public void Edge_values_keep_the_clamp_conventions()
    {
        // NaN, ±0 (a tie with 0), ±∞ and values on, inside, beyond the bounds, through the GEMV/GEMM epilogue
        float[] edges = [float.NaN, 1e-30f, -1e-30f, float.PositiveInfinity, float.NegativeInfinity, -1e-45f, 1e-45f, -3f, 2f, 0.5f, 7f];
        var values = Enumerable.Range(0, 37).Select(i => edges[i % edges.Length]).ToArray();   // a SIMD body and a tail
        var x = Tensor.FromArray(values, 1, 1, 1, values.Length).RequireGrad();
        var w = Tensor.FromArray([1f], 1, 1, 1, 1).RequireGrad();                                // u = x
        int[] a = [1, 1, 1, values.Length, 1, 1, 1, 1, 0, 1];
        AssertSameAsUnfused(x, w, null, a, -1f, 6f, "Conv2dClamped");                            // no value on a bound
        AssertSameAsUnfused(x, w, null, a, 0f, 6f, "Conv2dClamped");                             // ±1e-45 beside the bound 0
        AssertSameAsUnfused(x, w, null, a, 0f, 2f, "Conv2dClamped");                             // 2 on the upper bound
        AssertSameAsUnfused(x, w, null, a, null, float.PositiveInfinity, "Conv2dClamped");        // +∞ on the upper bound
        AssertSameAsUnfused(x, w, null, a, null, null, "Clamp");                                  // no bound: never fused
    }

    [Fact]
    public void Unordered_bounds_are_refused_as_by_the_clamp()
    {
        var x = Tensor.Randn(new Shape(1, 2, 4, 4), seed: 1);
        var w = Tensor.Randn(new Shape(3, 2, 3, 3), seed: 2);
        var error = Assert.Throws<ArgumentException>(() => x.Conv2dClamped(w, null, (1, 1), (1, 1, 1, 1), (1, 1), 1, 6f, 0f));
        Assert.Contains("min 6 is greater than max 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_watch_reports_only_activations_that_are_clamps()
    {
        var error = Assert.Throws<ArgumentException>(() => new ConvEpilogue(null, ConvActivation.Leaky(0.1f), new ClampTies(1)));
        Assert.Contains("Leaky", error.Message, StringComparison.Ordinal);
    }
}
