using Lumen.Tensors.Autograd;

namespace Lumen.Tensors.Tests;

/// <summary>A convolution fused with ReLU or a leaky ReLU (α &gt; 0) as one recorded op equals the convolution followed by
/// the activation op bitwise: values, first-order gradients of input, weight and bias, second-order gradients, and
/// the activation's conventions at NaN, ±0 and ±∞ (ReLU's gradient is 0 at 0).</summary>
public class ConvRectifiedTests
{
    // N, C, H, W, O, kh, kw, stride, pad, groups
    public static IEnumerable<object[]> Cases() =>
        from geometry in new int[][]
        {
            [2, 5, 7, 7, 6, 3, 3, 1, 1, 1],      // GEMM path with padding
            [1, 8, 6, 6, 8, 3, 3, 2, 1, 8],      // depthwise, strided
            [2, 16, 5, 5, 12, 1, 1, 1, 0, 1],    // pointwise
            [1, 6, 8, 8, 4, 3, 3, 1, 0, 2],      // grouped
            [3, 19, 7, 7, 13, 1, 1, 1, 0, 1],    // pointwise, one GEMM over the batch (tiles across images)
        }
        from slope in new[] { 0f, 0.1f, 1.5f }
        from bias in new[] { true, false }
        select new object[] { geometry, slope, bias };

    private static Tensor Unfused(Tensor x, Tensor w, Tensor? b, int[] a, float slope)
    {
        var u = x.Conv2d(w, b, (a[7], a[7]), (a[8], a[8], a[8], a[8]), (1, 1), a[9]);
        return slope == 0f ? u.Relu() : u.LeakyRelu(slope);
    }

    private static Tensor Fused(Tensor x, Tensor w, Tensor? b, int[] a, float slope) =>
        x.Conv2dRectified(w, b, (a[7], a[7]), (a[8], a[8], a[8], a[8]), (1, 1), a[9], slope);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_equal_the_convolution_then_the_activation_bitwise(int[] a, float slope, bool withBias)
    {
        var x = Tensor.Randn(new Shape(a[0], a[1], a[2], a[3]), seed: 1).RequireGrad();
        var w = Tensor.Randn(new Shape(a[4], a[1] / a[9], a[5], a[6]), seed: 2).RequireGrad();
        var b = withBias ? Tensor.Randn(new Shape(a[4]), seed: 3).RequireGrad() : null;
        FusedConvAssert.SameAsUnfused(Unfused(x, w, b, a, slope), Fused(x, w, b, a, slope), x, w, b);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.25f)]
    public void Edge_values_keep_the_activation_conventions(float slope)
    {
        float[] edges = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, -1e-30f, 1e-30f, -1e-45f, 1e-45f, -3f, 2f];
        var values = Enumerable.Range(0, 37).Select(i => edges[i % edges.Length]).ToArray();   // a SIMD body and a tail
        var x = Tensor.FromArray(values, 1, 1, 1, values.Length).RequireGrad();
        var w = Tensor.FromArray([1f], 1, 1, 1, 1).RequireGrad();                                // u = x
        int[] a = [1, 1, 1, values.Length, 1, 1, 1, 1, 0, 1];
        var expected = Unfused(x, w, null, a, slope);
        var fused = Fused(x, w, null, a, slope);
        FusedConvAssert.Bitwise(expected, fused);
        var seed = Tensor.FromArray([.. Enumerable.Range(0, values.Length).Select(i => i + 1f)], 1, 1, 1, values.Length);
        FusedConvAssert.Bitwise(Gradients.Of(expected, x, seed), Gradients.Of(fused, x, seed));
        var dx = Gradients.Of(fused, x, seed).ToArray();
        Assert.Equal(slope, dx[2] / 3f);                                                      // u = +0: not > 0
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_slope_that_breaks_the_sign_of_the_output_is_refused(float slope)
    {
        var x = Tensor.Randn(new Shape(1, 2, 4, 4), seed: 1);
        var w = Tensor.Randn(new Shape(3, 2, 3, 3), seed: 2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => x.Conv2dRectified(w, null, (1, 1), (1, 1, 1, 1), (1, 1), 1, slope));
        Assert.Contains("slope", error.Message, StringComparison.Ordinal);
    }
}
