using Lumen.Tensors.Autograd;

namespace Lumen.Tensors.Tests;

/// <summary>Checks that a convolution fused with its activation into one recorded op equals the separate ops bitwise.</summary>
internal static class FusedConvAssert
{
    /// <summary>Same shape and the same bits in every element (so −0 ≠ +0 and NaN payloads count).</summary>
    public static void Bitwise(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var f = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(f[i]), $"element {i}: unfused {e[i]}, fused {f[i]}");
    }

    /// <summary>Values, first-order gradients of input, weight and bias, and second-order ones (the recorded input
    /// gradient, then its square's gradient reaching the weight) of <paramref name="fused"/> equal those of
    /// <paramref name="expected"/>, both computed from <paramref name="x"/>, <paramref name="w"/> and <paramref name="b"/>.</summary>
    public static void SameAsUnfused(Tensor expected, Tensor fused, Tensor x, Tensor w, Tensor? b)
    {
        Bitwise(expected, fused);
        var seed = Tensor.Randn(expected.Shape, seed: 4);
        Tensor[] wrt = b is null ? [x, w] : [x, w, b];
        var want = Gradients.Of([expected * seed], wrt, null);
        var got = Gradients.Of([fused * seed], wrt, null);
        for (int k = 0; k < wrt.Length; k++) Bitwise(want[k], got[k]);

        var firstWant = Gradients.Of([expected], [x], [seed], createGraph: true)[0];
        var firstGot = Gradients.Of([fused], [x], [seed], createGraph: true)[0];
        Bitwise(firstWant, firstGot);
        Bitwise(Gradients.Of((firstWant * firstWant).Sum(), w), Gradients.Of((firstGot * firstGot).Sum(), w));
    }
}
