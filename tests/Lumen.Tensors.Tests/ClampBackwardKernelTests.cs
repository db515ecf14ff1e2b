using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The fused clamp backward (<see cref="Selection.PassInside"/>) against its scalar twin and against the
/// recorded (mask-and-Where) form used for higher-order gradients.</summary>
public class ClampBackwardKernelTests
{
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 65).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Fused_pass_equals_the_scalar_twin_bit_for_bit(int n)
    {
        var rng = new Random(n);
        float[] special = [0f, 6f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 5.9999995f, 1e-30f];
        var x = new float[n];
        var g = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = i % 5 == 0 ? special[i / 5 % special.Length] : (float)(rng.NextDouble() * 10 - 2);
            g[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        var fast = new float[n];
        var naive = new float[n];
        Selection.PassInside(x, 0f, 6f, g, fast);
        Selection.PassInsideNaive(x, 0f, 6f, g, naive);
        Assert.Equal(naive.Select(BitConverter.SingleToInt32Bits), fast.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void First_and_second_order_clamp_gradients_agree()
    {
        var x = Tensor.FromArray([-1f, 0f, 0.5f, 3f, 6f, 7f, 2f, 5f, -3f, 1f], 10).RequireGrad();
        var y = (x * x).Clamp(0f, 6f).Sum();
        var first = Gradients.Of(y, x);
        var recorded = Gradients.Of([y], [x], createGraph: true)[0];
        Assert.Equal(first.ToArray(), recorded.ToArray());
        Assert.Equal(new[] { -2f, 0f, 1f, 0f, 0f, 0f, 4f, 0f, 0f, 2f }, first.ToArray());
    }
}
