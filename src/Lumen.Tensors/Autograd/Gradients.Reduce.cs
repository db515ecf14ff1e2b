namespace Lumen.Tensors.Autograd;

/// <summary>Backward rules of the reductions.</summary>
public static partial class Gradients
{
    // d(Σ x) = g broadcast back over the reduced axes
    internal static BackwardRule SumRule(Shape input, bool[] reduced) => (g, needs) =>
        [g.Reshape(Tensor.ReducedShape(input, reduced, keepDims: true).ToArray()).BroadcastTo(input)];
}
