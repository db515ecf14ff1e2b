using System.Numerics.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Tensors;

/// <summary>Reductions over any set of axes.</summary>
public sealed partial class Tensor
{
    /// <summary>Sum over <paramref name="axes"/> (all axes when null or empty).</summary>
    /// <example><code>x.Sum(axes: [1], keepDims: true) // [B, C] -> [B, 1]</code></example>
    public Tensor Sum(int[]? axes = null, bool keepDims = false)
    {
        RequireFloat("Sum");
        var reduced = ReducedAxes(axes, "Sum");
        var outShape = ReducedShape(Shape, reduced, keepDims);
        var result = new Tensor(outShape, SumKernel(AsSpan(), Shape, reduced));
        var inputShape = Shape;
        return Gradients.Record(result, "Sum", Gradients.SumRule(inputShape, reduced), this);
    }

    /// <summary>Sum over one axis.</summary>
    public Tensor Sum(int axis, bool keepDims = false) => Sum([axis], keepDims);

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

    /// <summary>Sums the flagged axes one contiguous run at a time, viewing the data as [outer, n, inner].</summary>
    internal static float[] SumKernel(ReadOnlySpan<float> x, Shape shape, bool[] reduced)
    {
        var dims = shape.ToArray();
        float[] current = x.ToArray();
        int rank = dims.Length;
        int i = rank - 1;
        while (i >= 0)
        {
            if (!reduced[i]) { i--; continue; }
            int end = i + 1;
            while (i > 0 && reduced[i - 1]) i--;
            int outer = 1, n = 1, inner = 1;
            for (int d = 0; d < i; d++) outer *= dims[d];
            for (int d = i; d < end; d++) n *= dims[d];
            for (int d = end; d < rank; d++) inner *= dims[d];
            var next = new float[outer * inner];
            for (int o = 0; o < outer; o++)
            {
                var dst = next.AsSpan(o * inner, inner);
                if (inner == 1)
                {
                    dst[0] = TensorPrimitives.Sum<float>(current.AsSpan(o * n, n));
                    continue;
                }
                for (int k = 0; k < n; k++)
                    TensorPrimitives.Add(dst, current.AsSpan((o * n + k) * inner, inner), dst);
            }
            for (int d = i; d < end; d++) dims[d] = 1;
            current = next;
            i--;
        }
        return current;
    }
}
