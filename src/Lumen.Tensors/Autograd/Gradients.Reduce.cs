namespace Lumen.Tensors.Autograd;

/// <summary>Backward rules of the reductions.</summary>
public static partial class Gradients
{
    // d(Σ x) = g broadcast back over the reduced axes; outside create-graph passes into storage the pass may reuse
    // (a global average pool's gradient, [N, C, H, W], would otherwise be a fresh array in every chunk of an attribution)
    internal static BackwardRule SumRule(Shape input, bool[] reduced) => (g, needs) =>
    {
        var kept = g.Reshape(Tensor.ReducedShape(input, reduced, keepDims: true).ToArray());
        if (GradMode.IsEnabled || kept.DType != DType.Float32 || kept.Shape == input) return [kept.BroadcastTo(input)];
        var data = GradientStorage.Rent(input.Size, overwrite: true);
        Kernels.StridedCopy.Run(kept.Floats, 0, Kernels.Broadcasting.AlignedStrides(kept.Shape, input), data, 0, input.Strides(), input.ToArray());
        return [Fresh(new Tensor(input, data))];
    };

    // d max = g·[x = max] / #{x = max}: the arg-extreme elements share the gradient evenly (same rule for min)
    internal static BackwardRule ExtremeRule(Tensor x, Tensor y, bool[] reduced) => (g, needs) =>
    {
        var keep = Tensor.ReducedShape(x.Shape, reduced, keepDims: true).ToArray();
        var mask = x.Detach().Equal(y.Detach().Reshape(keep)).ToFloat32();     // [x.Shape]
        var count = mask.Sum(AxesOf(reduced), keepDims: true);                  // [keep]
        return [g.Reshape(keep) * mask / count];
    };

    // d Π x = g·Πⱼ≠ᵢ xⱼ: y/xᵢ when no factor is zero; with exactly one zero, the product of the others at the zero;
    // with two or more zeros, 0
    internal static BackwardRule ProdRule(Tensor x, Tensor y, bool[] reduced) => (g, needs) =>
    {
        var keep = Tensor.ReducedShape(x.Shape, reduced, keepDims: true).ToArray();
        var axes = AxesOf(reduced);
        var zero = x.Detach().Equal(0f);                                        // [x.Shape]
        var zeros = zero.ToFloat32().Sum(axes, keepDims: true);                 // [keep]
        var one = Tensor.Scalar(1f);
        var nonZeroProduct = Tensor.Where(zero, one, x).Prod(axes, keepDims: true);
        var others = Tensor.Where(zeros.Equal(0f), y.Reshape(keep) / Tensor.Where(zero, one, x),
            Tensor.Where(zeros.Equal(1f).And(zero), nonZeroProduct, Tensor.Scalar(0f)));
        return [g.Reshape(keep) * others];
    };

    // y = softmax(x):  dx = y·(g − Σ g·y)  along the axis
    internal static BackwardRule SoftmaxRule(Tensor y, int axis) => (g, needs) =>
        [y * (g - (g * y).Sum(axis, keepDims: true))];

    // y = log-softmax(x):  dx = g − e^y·Σ g  along the axis
    internal static BackwardRule LogSoftmaxRule(Tensor y, int axis) => (g, needs) =>
        [g - y.Exp() * g.Sum(axis, keepDims: true)];

    private static int[] AxesOf(bool[] reduced)
    {
        var axes = new List<int>();
        for (int i = 0; i < reduced.Length; i++) if (reduced[i]) axes.Add(i);
        return [.. axes];
    }
}
