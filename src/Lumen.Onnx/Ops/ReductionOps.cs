using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Reduce* ops (axes as an attribute before opset 13/18 and as an input after), ArgMax and ArgMin.</summary>
internal static class ReductionOps
{
    public static void Register()
    {
        Reduce("ReduceSum", 13, (x, axes, keep) => x.DType == DType.Int64 ? IntSum(x, axes, keep) : x.Sum(axes, keep));
        Reduce("ReduceMean", 18, (x, axes, keep) => x.Mean(axes, keep));
        Reduce("ReduceMax", 18, (x, axes, keep) => IsEmpty(x, axes) ? EmptyFill(x, axes, keep, float.NegativeInfinity) : x.Max(axes, keep));
        Reduce("ReduceMin", 18, (x, axes, keep) => IsEmpty(x, axes) ? EmptyFill(x, axes, keep, float.PositiveInfinity) : x.Min(axes, keep));
        Reduce("ReduceProd", 18, (x, axes, keep) => x.Prod(axes, keep));
        Reduce("ReduceL1", 18, (x, axes, keep) => x.Abs().Sum(axes, keep));
        Reduce("ReduceL2", 18, (x, axes, keep) => (x * x).Sum(axes, keep).Sqrt());
        Reduce("ReduceSumSquare", 18, (x, axes, keep) => (x * x).Sum(axes, keep));
        Reduce("ReduceLogSum", 18, (x, axes, keep) => x.Sum(axes, keep).Log());
        Reduce("ReduceLogSumExp", 18, (x, axes, keep) => x.LogSumExp(axes, keep));
        ArgExtreme("ArgMax", (x, axis, keep, last) => x.ArgMax(axis, keep, last));
        ArgExtreme("ArgMin", (x, axis, keep, last) => x.ArgMin(axis, keep, last));
    }

    /// <summary>Registers both the attribute form (opset 1) and the input form (from <paramref name="inputSince"/>).</summary>
    private static void Reduce(string op, int inputSince, Func<Tensor, int[]?, bool, Tensor> f)
    {
        OnnxOps.Register(op, 1, node =>
        {
            bool keep = node.Int("keepdims", 1) != 0;
            long[]? axes = node.Ints("axes");
            return inputs => [Apply(f, inputs.Arg(0), axes, keep, noopWhenEmpty: false)];
        });
        OnnxOps.Register(op, inputSince, node =>
        {
            bool keep = node.Int("keepdims", 1) != 0;
            bool noop = node.Int("noop_with_empty_axes", 0) != 0;
            return inputs => [Apply(f, inputs.Arg(0), inputs.Optional(1) is { } a ? OpHelpers.Longs(a) : null, keep, noop)];
        });
    }

    private static Tensor Apply(Func<Tensor, int[]?, bool, Tensor> f, Tensor x, long[]? axes, bool keep, bool noopWhenEmpty)
    {
        if (axes is null || axes.Length == 0)
        {
            if (noopWhenEmpty) return x;
            axes = [.. Enumerable.Range(0, x.Rank).Select(i => (long)i)];
        }
        if (x.Rank == 0) return x;
        int[] normalized = [.. axes.Select(a => OpHelpers.Axis(a, x.Rank, "Reduce"))];
        if (x.DType == DType.Bool) return CastOps.To(f(CastOps.To(x, DType.Float32), normalized, keep), DType.Bool);
        return f(x, normalized, keep);
    }

    private static void ArgExtreme(string op, Func<Tensor, int, bool, bool, Tensor> f) =>
        OnnxOps.Register(op, 1, node =>
        {
            long axis = node.Int("axis", 0);
            bool keep = node.Int("keepdims", 1) != 0, last = node.Int("select_last_index", 0) != 0;
            return inputs =>
            {
                var x = inputs.Arg(0);
                if (x.DType == DType.Int64) x = CastOps.To(x, DType.Float32);
                return [f(x, OpHelpers.Axis(axis, x.Rank, op), keep, last)];
            };
        });

    private static bool IsEmpty(Tensor x, int[]? axes) => axes is not null && axes.Any(a => x.Shape[a] == 0);

    // The reduction of an empty set is the operation's identity (−∞ for max, +∞ for min).
    private static Tensor EmptyFill(Tensor x, int[]? axes, bool keep, float identity)
    {
        var dims = new List<int>();
        for (int d = 0; d < x.Rank; d++)
        {
            if (axes is null || !axes.Contains(d)) dims.Add(x.Shape[d]);
            else if (keep) dims.Add(1);
        }
        var shape = new Shape([.. dims]);
        var filled = OpHelpers.FloatTensor(Enumerable.Repeat(identity, shape.Size).ToArray(), shape);
        return x.DType == DType.Float32 ? filled : CastOps.To(filled, x.DType);
    }

    private static Tensor IntSum(Tensor x, int[]? axes, bool keep)
    {
        var sum = CastOps.To(x, DType.Float32).Sum(axes, keep);
        return CastOps.To(sum, DType.Int64);
    }
}
