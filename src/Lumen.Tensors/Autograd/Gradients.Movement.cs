using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Autograd;

/// <summary>Backward rules of the shape and layout ops.</summary>
public static partial class Gradients
{
    // y = x viewed in another shape: dx = g in x's shape
    internal static BackwardRule ReshapeRule(Shape input) => (g, needs) => [g.Reshape(input.ToArray())];

    // y = x broadcast: dx = g summed back over the broadcast dimensions
    internal static BackwardRule BroadcastToRule(Shape input) => (g, needs) => [g.SumTo(input)];

    // y[to] = x[from] (a permutation, slice, flip or crop/pad of x): dx[from] = g[to], zero elsewhere
    internal static BackwardRule CopyWindowRule(string op, Shape input, StridedWindow from, StridedWindow to) =>
        (g, needs) => [g.CopyWindow(op + ".Backward", to, input, from, 0f)];

    // y = concat(x_0, …, x_n): dx_i = the slab of g where x_i was placed
    internal static BackwardRule ConcatRule(Tensor[] inputs, StridedWindow[] places) => (g, needs) =>
    {
        var grads = new Tensor?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
            if (needs[i]) grads[i] = g.CopyWindow("Concat.Backward", places[i], inputs[i].Shape, StridedWindow.Whole(inputs[i].Shape), 0f);
        return grads;
    };

    // y = tril/triu(x): the same mask applies to the gradient
    internal static BackwardRule TriangleRule(int k, bool upper) => (g, needs) => [upper ? g.Triu(k) : g.Tril(k)];

    // y = cumsum(x): dx_i = Σ_{j ≥ i} g_j, i.e. the cumulative sum taken in the other direction
    internal static BackwardRule CumSumRule(int axis, bool exclusive, bool reverse) => (g, needs) => [g.CumSum(axis, exclusive, !reverse)];
}
