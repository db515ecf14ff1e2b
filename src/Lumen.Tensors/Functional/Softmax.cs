using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Softmax and log-softmax along one axis: fused primitives (one kernel pass, their own backward rule),
/// since the composite exp/sum/div form costs several full-size temporaries.</summary>
public sealed partial class Tensor
{
    /// <summary>Softmax along <paramref name="axis"/>: exp(x − max) normalised to sum to 1.</summary>
    /// <remarks>softmax(x)ᵢ = e^(xᵢ) / Σⱼ e^(xⱼ), computed with the maximum subtracted.</remarks>
    public Tensor Softmax(int axis = -1) => SoftmaxCore(axis, log: false, "Softmax");

    /// <summary>Log-softmax along <paramref name="axis"/>, computed stably.</summary>
    /// <remarks>log-softmax(x)ᵢ = xᵢ − log Σⱼ e^(xⱼ).</remarks>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxCore(axis, log: true, "LogSoftmax");

    private Tensor SoftmaxCore(int axis, bool log, string op)
    {
        RequireFloat(op);
        int a = Shape.NormalizeAxis(Rank == 0 && axis == -1 ? 0 : axis, Rank, op); // a scalar is its own axis
        int n = Rank == 0 ? 1 : Shape.Dims[a];
        int outer = Rank == 0 ? 1 : Shape.Product(0, a), inner = Rank == 0 ? 1 : Shape.Product(a + 1, Rank);
        var y = new Tensor(Shape, SoftmaxKernel.Apply(Floats, outer, n, inner, log));
        var rule = log ? Gradients.LogSoftmaxRule(y, a) : Gradients.SoftmaxRule(y, a);
        return Gradients.Record(y, op, rule, this);
    }
}

/// <summary>Functional composites: normalisation layers, dropout and friends, built from Tensor primitives
/// (no backward code of their own).</summary>
public static partial class Functional
{
    /// <summary>Softmax along <paramref name="axis"/> (see <see cref="Tensor.Softmax"/>).</summary>
    public static Tensor Softmax(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Softmax(axis);
    }

    /// <summary>Log-softmax along <paramref name="axis"/> (see <see cref="Tensor.LogSoftmax"/>).</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.LogSoftmax(axis);
    }
}
