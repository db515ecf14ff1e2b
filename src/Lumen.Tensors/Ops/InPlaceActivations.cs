using System.Numerics.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>
/// In-place forms of the rectifiers, for inference engines that fuse an activation into the layer that produced
/// its input (a convolution's fresh output that nothing else reads). Not recorded by autograd and internal: the
/// caller guarantees that gradients are off and that no one else holds the storage. Each uses the same kernel as its
/// allocating twin, so fused and unfused results are bitwise equal.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>x ← max(x, 0), as <see cref="Relu"/>.</summary>
    internal void ReluInPlace() => InPlace("Relu", static s => ReluOperator.Invoke(s, s));

    /// <summary>x ← x &gt; 0 ? x : αx, as <see cref="LeakyRelu"/>.</summary>
    internal void LeakyReluInPlace(float alpha) => InPlace("LeakyRelu", s => LeakyRectifier.Forward(s, alpha, s));

    /// <summary>x ← clamp(x, min, max), as <see cref="Clamp"/>.</summary>
    internal void ClampInPlace(float? min, float? max)
    {
        RequireOrderedBounds(min, max);
        InPlace("Clamp", s => ClampInto(s, s, min, max));
    }

    private void RequireOrderedBounds(float? min, float? max)
    {
        if (min is { } lo && max is { } hi && lo > hi) throw new ArgumentException($"Clamp: min {lo} is greater than max {hi} (shape {Shape}).");
    }

    /// <summary>d = clamp(x, min, max): the kernel shared by <see cref="Clamp"/> and <see cref="ClampInPlace"/>.</summary>
    private static void ClampInto(ReadOnlySpan<float> x, Span<float> d, float? min, float? max)
    {
        if (min is { } mn) TensorPrimitives.Max(x, mn, d); else x.CopyTo(d);
        if (max is { } mx) TensorPrimitives.Min(d, mx, d);
    }

    private delegate void SpanKernel(Span<float> values);

    private void InPlace(string op, SpanKernel kernel)
    {
        RequireFloat(op);
        var data = Floats;
        Kernels.Unary.InBlocks(Size, (from, count) => kernel(data.AsSpan(from, count)));
    }
}
