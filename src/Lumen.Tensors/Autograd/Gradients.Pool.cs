using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Autograd;

/// <summary>Backward rules of pooling and of the separable linear maps (average/adaptive pooling, resizing).</summary>
public static partial class Gradients
{
    // y = max over a window: dx[argmax] += g (first maximum on ties); not itself recorded.
    // The first maximum is found again from the input and output, so the forward pass stores no index array; dx is
    // left unzeroed where the kernel writes all of it.
    internal static BackwardRule MaxPool2dRule(Tensor input, float[] output, PoolGeometry geometry) => (g, needs) =>
    {
        var dx = GradientStorage.Rent(input.Shape.Size, PoolMax.OverwritesInputGradient(geometry));
        PoolMax.Backward(g.Floats, input.Floats, output, dx, geometry);
        return [Fresh(new Tensor(input.Shape, dx))];
    };

    // y = (R ⊗ C) x  ⇒  dx = (R ⊗ C)ᵀ g, a recorded op whose own gradient is the forward map again.
    internal static BackwardRule SeparableMapRule(string op, PoolAxisTaps rows, PoolAxisTaps cols) => (g, needs) =>
        [g.SeparableMapTransposed(op, rows, cols)];

    internal static BackwardRule SeparableMapTransposedRule(string op, PoolAxisTaps rows, PoolAxisTaps cols) => (g, needs) =>
        [g.SeparableMap(op, rows, cols)];
}
