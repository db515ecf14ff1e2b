using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Reductions over any set of axes (null or empty axes mean all), with or without kept dimensions.
/// Kernels: <see cref="Reduction"/>.</summary>
public sealed partial class Tensor
{
    /// <summary>Sum over <paramref name="axes"/> (all axes when null or empty). Int64 tensors sum without autograd.</summary>
    /// <example><code>x.Sum(axes: [1], keepDims: true) // [B, C] -> [B, 1]</code></example>
    public Tensor Sum(int[]? axes = null, bool keepDims = false)
    {
        var reduced = ReducedAxes(axes, "Sum");
        var outShape = ReducedShape(Shape, reduced, keepDims);
        if (DType == DType.Int64) return new Tensor(outShape, Reduction.ReduceInt64(AsInt64Span(), Shape, reduced, 0, static (x, y) => x + y));
        RequireFloat("Sum");
        var result = new Tensor(outShape, Reduction.Reduce<SumReducer>(Floats, Shape, reduced));
        return Gradients.Record(result, "Sum", Gradients.SumRule(Shape, reduced), this);
    }

    /// <summary>Sum over one axis.</summary>
    public Tensor Sum(int axis, bool keepDims = false) => Sum([axis], keepDims);

    /// <summary>Arithmetic mean over <paramref name="axes"/> (all when null or empty); NaN over an empty extent.</summary>
    /// <remarks>mean = Σx / n, n the number of elements reduced into each output.</remarks>
    public Tensor Mean(int[]? axes = null, bool keepDims = false)
    {
        RequireFloat("Mean");
        var reduced = ReducedAxes(axes, "Mean");
        return Sum(axes, keepDims) / ReducedCount(reduced);
    }

    /// <summary>Mean over one axis.</summary>
    public Tensor Mean(int axis, bool keepDims = false) => Mean([axis], keepDims);

    /// <summary>Maximum over <paramref name="axes"/> (all when null or empty), NaN-propagating. The gradient goes to
    /// the elements equal to the maximum, split evenly between ties. Int64 tensors reduce without autograd.</summary>
    public Tensor Max(int[]? axes = null, bool keepDims = false) => Extreme<MaxReducer>(axes, keepDims, "Max", long.MinValue, Math.Max);

    /// <summary>Maximum over one axis.</summary>
    public Tensor Max(int axis, bool keepDims = false) => Max([axis], keepDims);

    /// <summary>Minimum over <paramref name="axes"/> (all when null or empty), NaN-propagating. The gradient goes to
    /// the elements equal to the minimum, split evenly between ties. Int64 tensors reduce without autograd.</summary>
    public Tensor Min(int[]? axes = null, bool keepDims = false) => Extreme<MinReducer>(axes, keepDims, "Min", long.MaxValue, Math.Min);

    /// <summary>Minimum over one axis.</summary>
    public Tensor Min(int axis, bool keepDims = false) => Min([axis], keepDims);

    /// <summary>Product over <paramref name="axes"/> (all when null or empty; 1 over an empty extent).
    /// Int64 tensors multiply without autograd (shape math).</summary>
    /// <remarks>∂/∂xᵢ Πⱼ xⱼ = Πⱼ≠ᵢ xⱼ, computed exactly even when some xⱼ are zero.</remarks>
    public Tensor Prod(int[]? axes = null, bool keepDims = false)
    {
        var reduced = ReducedAxes(axes, "Prod");
        if (DType == DType.Int64) return new Tensor(ReducedShape(Shape, reduced, keepDims), Reduction.ReduceInt64(AsInt64Span(), Shape, reduced, 1, static (x, y) => x * y));
        RequireFloat("Prod");
        var result = new Tensor(ReducedShape(Shape, reduced, keepDims), Reduction.Reduce<ProdReducer>(Floats, Shape, reduced));
        return Gradients.Record(result, "Prod", Gradients.ProdRule(this, result, reduced), this);
    }

    /// <summary>Product over one axis.</summary>
    public Tensor Prod(int axis, bool keepDims = false) => Prod([axis], keepDims);

    /// <summary>Variance over <paramref name="axes"/> with Bessel's correction by default.</summary>
    /// <remarks>var = Σ(x − mean)² / (n − correction); correction 0 gives the population variance.</remarks>
    public Tensor Var(int[]? axes = null, int correction = 1, bool keepDims = false)
    {
        RequireFloat("Var");
        var reduced = ReducedAxes(axes, "Var");
        var centered = this - Mean(axes, keepDims: true);
        return (centered * centered).Sum(axes, keepDims) / (ReducedCount(reduced) - correction);
    }

    /// <summary>Variance over one axis.</summary>
    public Tensor Var(int axis, int correction = 1, bool keepDims = false) => Var([axis], correction, keepDims);

    /// <summary>Standard deviation √Var over <paramref name="axes"/>.</summary>
    public Tensor Std(int[]? axes = null, int correction = 1, bool keepDims = false) => Var(axes, correction, keepDims).Sqrt();

    /// <summary>Standard deviation over one axis.</summary>
    public Tensor Std(int axis, int correction = 1, bool keepDims = false) => Std([axis], correction, keepDims);

    /// <summary>log Σ exp(x) over <paramref name="axes"/>, computed stably.</summary>
    /// <remarks>m + log Σ exp(x − m) with m the (constant) maximum; its gradient is softmax(x)·g.</remarks>
    public Tensor LogSumExp(int[]? axes = null, bool keepDims = false)
    {
        RequireFloat("LogSumExp");
        var reduced = ReducedAxes(axes, "LogSumExp");
        Tensor shift;
        using (GradMode.Off())
        {
            shift = Size == 0 ? Zeros(ReducedShape(Shape, reduced, keepDims: true)) : Detach().Max(axes, keepDims: true);
            var s = shift.AsSpan();
            for (int i = 0; i < s.Length; i++) if (!float.IsFinite(s[i])) s[i] = 0f;
        }
        var result = (this - shift).Exp().Sum(axes, keepDims: true).Log() + shift;
        return keepDims ? result : result.Reshape(ReducedShape(Shape, reduced, keepDims: false).ToArray());
    }

    /// <summary>LogSumExp over one axis.</summary>
    public Tensor LogSumExp(int axis, bool keepDims = false) => LogSumExp([axis], keepDims);

    /// <summary>Index of the maximum along <paramref name="axis"/> (over the flattened tensor when null), as Int64.
    /// NaN counts as the maximum; ties go to the first index, or the last with <paramref name="selectLastIndex"/>.</summary>
    public Tensor ArgMax(int? axis = null, bool keepDims = false, bool selectLastIndex = false) => ArgExtreme(axis, keepDims, selectLastIndex, max: true, "ArgMax");

    /// <summary>Index of the minimum along <paramref name="axis"/> (over the flattened tensor when null), as Int64.
    /// NaN counts as the minimum; ties go to the first index, or the last with <paramref name="selectLastIndex"/>.</summary>
    public Tensor ArgMin(int? axis = null, bool keepDims = false, bool selectLastIndex = false) => ArgExtreme(axis, keepDims, selectLastIndex, max: false, "ArgMin");

    private Tensor Extreme<TOp>(int[]? axes, bool keepDims, string op, long identity, Func<long, long, long> combine) where TOp : IReduceOperator
    {
        var reduced = ReducedAxes(axes, op);
        var outShape = ReducedShape(Shape, reduced, keepDims);
        for (int i = 0; i < Rank; i++)
            if (reduced[i] && Shape.Dims[i] == 0)
                throw new ArgumentException($"{op}: cannot reduce the empty axis {i} of shape {Shape}.");
        if (DType == DType.Int64) return new Tensor(outShape, Reduction.ReduceInt64(AsInt64Span(), Shape, reduced, identity, combine));
        RequireFloat(op);
        var result = new Tensor(outShape, Reduction.Reduce<TOp>(Floats, Shape, reduced));
        return Gradients.Record(result, op, Gradients.ExtremeRule(this, result, reduced), this);
    }

    private Tensor ArgExtreme(int? axis, bool keepDims, bool last, bool max, string op)
    {
        if (DType == DType.Bool) throw new ArgumentException($"{op}: expected a Float32 or Int64 tensor, got Bool of shape {Shape}.");
        var x = DType == DType.Int64 ? ToFloat32() : this;
        if (axis is null)
        {
            if (Size == 0) throw new ArgumentException($"{op}: the tensor of shape {Shape} is empty.");
            var flat = Reduction.ArgExtreme(x.Floats, 1, Size, 1, max, last);
            var shape = keepDims ? new Shape(Enumerable.Repeat(1, Rank).ToArray()) : Shape.Scalar;
            return new Tensor(shape, flat);
        }
        int a = Shape.NormalizeAxis(axis.Value, Rank, op);
        int n = Rank == 0 ? 1 : Shape.Dims[a];
        if (n == 0) throw new ArgumentException($"{op}: cannot reduce the empty axis {axis} of shape {Shape}.");
        var flags = new bool[Rank];
        if (Rank > 0) flags[a] = true;
        var indices = Reduction.ArgExtreme(x.Floats, Shape.Product(0, a), n, Rank == 0 ? 1 : Shape.Product(a + 1, Rank), max, last);
        return new Tensor(ReducedShape(Shape, flags, keepDims), indices);
    }

    /// <summary>Number of input elements that reduce into one output element.</summary>
    private int ReducedCount(bool[] reduced)
    {
        int n = 1;
        for (int i = 0; i < Rank; i++) if (reduced[i]) n *= Shape.Dims[i];
        return n;
    }

    /// <summary>Sums a broadcast result back down to <paramref name="shape"/> (the adjoint of broadcasting).</summary>
    public Tensor SumTo(Shape shape)
    {
        if (Shape == shape) return this;
        if (shape.Rank > Rank) throw new ArgumentException($"SumTo: cannot reduce shape {Shape} to the larger-rank shape {shape}.");
        int lead = Rank - shape.Rank;
        var axes = new List<int>();
        for (int i = 0; i < Rank; i++)
        {
            if (i < lead) { axes.Add(i); continue; }
            int target = shape.Dims[i - lead];
            if (target == 1 && Shape.Dims[i] != 1) axes.Add(i);
            else if (target != Shape.Dims[i]) throw new ArgumentException($"SumTo: shape {Shape} does not broadcast from {shape}.");
        }
        var summed = axes.Count == 0 ? this : Sum([.. axes], keepDims: true);
        return summed.Reshape(shape.ToArray());
    }

    /// <summary>Normalises and sorts the axes of a reduction (null or empty means all), rejecting bad ones.</summary>
    internal bool[] ReducedAxes(int[]? axes, string op)
    {
        var reduced = new bool[Rank];
        if (axes is null || axes.Length == 0) { Array.Fill(reduced, true); return reduced; }
        foreach (var axis in axes)
        {
            int a = Shape.NormalizeAxis(axis, Rank, op);
            if (Rank == 0) continue; // a scalar accepts axis 0 / −1 and has nothing to reduce
            if (reduced[a]) throw new ArgumentException($"{op}: axis {axis} is repeated in [{string.Join(", ", axes)}] for shape {Shape}.");
            reduced[a] = true;
        }
        return reduced;
    }

    internal static Shape ReducedShape(Shape shape, bool[] reduced, bool keepDims)
    {
        var dims = new List<int>(shape.Rank);
        for (int i = 0; i < shape.Rank; i++)
        {
            if (!reduced[i]) dims.Add(shape.Dims[i]);
            else if (keepDims) dims.Add(1);
        }
        return new Shape([.. dims]);
    }
}
