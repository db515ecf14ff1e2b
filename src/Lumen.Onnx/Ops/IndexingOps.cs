using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Indexing: Gather, GatherElements, GatherND, ScatterElements, ScatterND (reductions none/add on the engine,
/// mul/max/min through <see cref="ScatterCombine"/>), TensorScatter, TopK, CumSum, CumProd, ReverseSequence, Trilu, OneHot, NonZero.</summary>
internal static class IndexingOps
{
    public static void Register()
    {
        OnnxOps.Register("Gather", 1, node =>
        {
            long axis = node.Int("axis", 0);
            return inputs =>
            {
                var x = inputs.Arg(0);
                return [x.IndexSelect(OpHelpers.Axis(axis, x.Rank, "Gather"), AsIndex(inputs.Arg(1)))];
            };
        });
        OnnxOps.Register("GatherElements", 11, node =>
        {
            long axis = node.Int("axis", 0);
            return inputs =>
            {
                var x = inputs.Arg(0);
                int a = OpHelpers.Axis(axis, x.Rank, "GatherElements");
                return [x.Gather(a, Wrap(AsIndex(inputs.Arg(1)), x.Shape[a]))];
            };
        });
        OnnxOps.Register("GatherND", 11, node =>
        {
            int batchDims = (int)node.Int("batch_dims", 0);
            return inputs => [inputs.Arg(0).GatherNd(AsIndex(inputs.Arg(1)), batchDims)];
        });
        OnnxOps.Register("ScatterElements", 11, node =>
        {
            long axis = node.Int("axis", 0);
            string combine = node.String("reduction", "none");
            var reduction = ScatterCombine.Handles(combine) ? ScatterReduction.None : Reduction(node);
            return inputs =>
            {
                var x = inputs.Arg(0);
                int a = OpHelpers.Axis(axis, x.Rank, "ScatterElements");
                var index = Wrap(AsIndex(inputs.Arg(1)), x.Shape[a]);
                var updates = inputs.Arg(2);
                if (ScatterCombine.Handles(combine))
                    return [ScatterCombine.Apply(x, ScatterCombine.ElementTargets(x.Shape, a, index.ToInt64Array(), updates.Shape), updates, combine)];
                return [x.ScatterElements(a, index, updates, reduction)];
            };
        });
        OnnxOps.Register("TensorScatter", 24, node =>
        {
            long axis = node.Int("axis", -2);
            string mode = node.String("mode", "linear");
            if (mode is not ("linear" or "circular")) throw node.Unsupported($"mode '{mode}'");
            return inputs => [TensorScatter(inputs.Arg(0), inputs.Arg(1), inputs.Optional(2), axis, mode == "circular")];
        });
        OnnxOps.Register("Scatter", 9, node =>
        {
            long axis = node.Int("axis", 0);
            return inputs =>
            {
                var x = inputs.Arg(0);
                int a = OpHelpers.Axis(axis, x.Rank, "Scatter");
                return [x.ScatterElements(a, Wrap(AsIndex(inputs.Arg(1)), x.Shape[a]), inputs.Arg(2))];
            };
        });
        OnnxOps.Register("Compress", 9, node =>
        {
            long? axis = node.Has("axis") ? node.Int("axis") : null;
            return inputs =>
            {
                var x = inputs.Arg(0);
                var flags = CastOps.To(inputs.Arg(1), DType.Bool).ToBoolArray();
                if (axis is null) x = x.Reshape(x.Size);
                int a = axis is { } ax ? OpHelpers.Axis(ax, x.Rank, "Compress") : 0;
                var kept = Enumerable.Range(0, Math.Min(flags.Length, x.Shape[a])).Where(i => flags[i]).Select(i => (long)i).ToArray();
                return [x.IndexSelect(a, OpHelpers.LongVector(kept))];
            };
        });
        OnnxOps.Register("ScatterND", 11, node =>
        {
            string combine = node.String("reduction", "none");
            var reduction = ScatterCombine.Handles(combine) ? ScatterReduction.None : Reduction(node);
            return inputs =>
            {
                var (x, indices, updates) = (inputs.Arg(0), AsIndex(inputs.Arg(1)), inputs.Arg(2));
                if (!ScatterCombine.Handles(combine)) return [x.ScatterNd(indices, updates, reduction)];
                var targets = ScatterCombine.NdTargets(x.Shape, indices.ToInt64Array(), indices.Shape[indices.Rank - 1]);
                return [ScatterCombine.Apply(x, targets, updates, combine)];
            };
        });
        OnnxOps.Register("TopK", 10, node =>
        {
            long axis = node.Int("axis", -1);
            bool largest = node.Int("largest", 1) != 0, sorted = node.Int("sorted", 1) != 0;
            return inputs =>
            {
                var x = inputs.Arg(0);
                int k = (int)OpHelpers.Longs(inputs.Arg(1))[0];
                int a = OpHelpers.Axis(axis, x.Rank, "TopK");
                var indices = TopKIndices(x, k, a, largest);
                return [x.Gather(a, indices), indices];
            };
        });
        OnnxOps.Register("CumSum", 11, node =>
        {
            bool exclusive = node.Int("exclusive", 0) != 0, reverse = node.Int("reverse", 0) != 0;
            return inputs =>
            {
                var x = inputs.Arg(0);
                int axis = OpHelpers.Axis(OpHelpers.Longs(inputs.Arg(1))[0], x.Rank, "CumSum");
                return [x.CumSum(axis, exclusive, reverse)];
            };
        });
        OnnxOps.Register("CumProd", 26, node =>
        {
            bool exclusive = node.Int("exclusive", 0) != 0, reverse = node.Int("reverse", 0) != 0;
            return inputs =>
            {
                var x = inputs.Arg(0);
                int axis = OpHelpers.Axis(OpHelpers.Longs(inputs.Arg(1))[0], x.Rank, "CumProd");
                return [CumProd(x, axis, exclusive, reverse)];
            };
        });
        OnnxOps.Register("ReverseSequence", 10, node =>
        {
            long timeAttribute = node.Int("time_axis", 0), batchAttribute = node.Int("batch_axis", 1);
            return inputs =>
            {
                var x = inputs.Arg(0);
                int time = OpHelpers.Axis(timeAttribute, x.Rank, "ReverseSequence"), batch = OpHelpers.Axis(batchAttribute, x.Rank, "ReverseSequence");
                return [x.Gather(time, ReversedPositions(x.Shape, time, batch, OpHelpers.Longs(inputs.Arg(1))))];
            };
        });
        OnnxOps.Register("Trilu", 14, node =>
        {
            bool upper = node.Int("upper", 1) != 0;
            return inputs =>
            {
                int k = inputs.Optional(1) is { } kt ? (int)OpHelpers.Longs(kt)[0] : 0;
                var x = inputs.Arg(0);
                return [upper ? x.Triu(k) : x.Tril(k)];
            };
        });
        OnnxOps.Register("OneHot", 9, node =>
        {
            long axis = node.Int("axis", -1);
            return inputs =>
            {
                var indices = OpHelpers.Longs(inputs.Arg(0));
                int depth = (int)OpHelpers.Longs(inputs.Arg(1))[0];
                var values = inputs.Arg(2);
                var shape = inputs.Arg(0).Shape.ToArray().ToList();
                int a = axis < 0 ? (int)axis + shape.Count + 1 : (int)axis;
                shape.Insert(a, depth);
                int outer = shape.Take(a).Aggregate(1, (p, d) => p * d), inner = shape.Skip(a + 1).Aggregate(1, (p, d) => p * d);
                var hot = new bool[outer * depth * inner];
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                    {
                        long ix = indices[o * inner + i];
                        if (ix < 0) ix += depth;
                        if (ix >= 0 && ix < depth) hot[(o * depth + ix) * inner + i] = true;
                    }
                var mask = OpHelpers.BoolTensor(hot, new Shape([.. shape]));
                var off = values.Slice(0, 0, 1, 1).Reshape();
                var on = values.Slice(0, 1, 2, 1).Reshape();
                return [Tensor.Where(mask, on, off)];
            };
        });
        OnnxOps.Register("NonZero", 9, node => inputs =>
        {
            var x = CastOps.To(inputs.Arg(0), DType.Bool);
            var flags = x.AsBoolSpan();
            var strides = x.Shape.Strides();
            var hits = new List<int>();
            for (int i = 0; i < flags.Length; i++) if (flags[i]) hits.Add(i);
            var data = new long[x.Rank * hits.Count];
            for (int j = 0; j < hits.Count; j++)
            {
                int rem = hits[j];
                for (int d = 0; d < x.Rank; d++) { data[d * hits.Count + j] = rem / strides[d]; rem %= strides[d]; }
            }
            return [OpHelpers.LongTensor(data, new Shape(x.Rank, hits.Count))];
        });
    }

    // y_i = Π_{j ≤ i} x_j (j < i exclusive; j ≥ i / j > i reversed) as a product over a masked copy of x with a second
    // copy of the axis: [.., n, ..] → [.., n (i), n (j), ..], entries outside the range set to 1. The gradient is Prod's.
    private static Tensor CumProd(Tensor x, int axis, bool exclusive, bool reverse)
    {
        int n = x.Shape[axis];
        var include = new bool[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                include[i * n + j] = reverse ? (exclusive ? j > i : j >= i) : (exclusive ? j < i : j <= i);
        var maskDims = Enumerable.Repeat(1, x.Rank + 1).ToArray();
        maskDims[axis] = n;
        maskDims[axis + 1] = n;
        var mask = OpHelpers.BoolTensor(include, new Shape(maskDims));
        var dims = x.Shape.ToArray().ToList();
        dims.Insert(axis, n);
        var copies = x.Unsqueeze(axis).BroadcastTo(new Shape([.. dims]));
        return Tensor.Where(mask, copies, OpHelpers.ScalarLike(x, 1)).Prod(axis + 1);
    }

    // For every element, the time index it reads: the first lengths[b] steps of batch b reversed, the rest in place.
    private static Tensor ReversedPositions(Shape shape, int time, int batch, long[] lengths)
    {
        if (time == batch || lengths.Length != shape[batch])
            throw new ArgumentException($"ReverseSequence: {lengths.Length} sequence lengths for batch axis {batch} of {shape} (time axis {time}).");
        var dims = shape.ToArray();
        var index = new long[shape.Size];
        var coordinate = new int[dims.Length];
        for (int i = 0; i < index.Length; i++)
        {
            for (int d = dims.Length - 1, rest = i; d >= 0; d--) { coordinate[d] = rest % dims[d]; rest /= dims[d]; }
            long t = coordinate[time], length = Math.Clamp(lengths[coordinate[batch]], 0, dims[time]);
            index[i] = t < length ? length - 1 - t : t;
        }
        return OpHelpers.LongTensor(index, shape);
    }

    private static ScatterReduction Reduction(OnnxNode node) => node.String("reduction", "none") switch
    {
        "none" => ScatterReduction.None,
        "add" => ScatterReduction.Add,
        var other => throw node.Unsupported($"reduction '{other}'"),
    };

    /// <summary>TensorScatter (a KV-cache write): update[b] goes into cache[b] along <paramref name="axis"/> at
    /// positions w[b], w[b] + 1, … (w = write_indices, zeros when omitted), modulo the cache length when circular.</summary>
    private static Tensor TensorScatter(Tensor cache, Tensor update, Tensor? writeIndices, long axis, bool circular)
    {
        int a = OpHelpers.Axis(axis, cache.Rank, "TensorScatter");
        if (a == 0) throw new ArgumentException("TensorScatter: the sequence axis cannot be the batch axis 0.");
        int batch = cache.Shape[0], length = cache.Shape[a], steps = update.Shape[a];
        long[] starts = writeIndices is null ? new long[batch] : OpHelpers.Longs(writeIndices);
        int inner = update.Shape.Product(a + 1, update.Rank), perBatch = update.Shape.Product(1, update.Rank);
        var index = new long[update.Size];
        for (int i = 0; i < index.Length; i++)
        {
            int b = i / perBatch, step = i / inner % steps;
            long position = starts[b] + step;
            if (circular) position %= length;
            else if (position >= length) throw new ArgumentException($"TensorScatter: write position {position} of batch entry {b} is past the cache length {length}.");
            index[i] = position;
        }
        return cache.ScatterElements(a, OpHelpers.LongTensor(index, update.Shape), update);
    }

    /// <summary>Indices of the k largest (or smallest) entries along <paramref name="axis"/>, sorted, ties to the lower index.</summary>
    private static Tensor TopKIndices(Tensor x, int k, int axis, bool largest)
    {
        int n = x.Shape[axis];
        if (k < 0 || k > n) throw new ArgumentException($"TopK: k = {k} is out of range for dimension {axis} of {x.Shape}.");
        int outer = x.Shape.Product(0, axis), inner = x.Shape.Product(axis + 1, x.Rank);
        var values = CastOps.To(x, DType.Float32).ToArray();
        var result = new long[outer * k * inner];
        var order = new int[n];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int baseOffset = o * n * inner + i;
                for (int j = 0; j < n; j++) order[j] = j;
                Comparison<int> compare = largest
                    ? (p, q) => { int c = values[baseOffset + q * inner].CompareTo(values[baseOffset + p * inner]); return c != 0 ? c : p.CompareTo(q); }
                    : (p, q) => { int c = values[baseOffset + p * inner].CompareTo(values[baseOffset + q * inner]); return c != 0 ? c : p.CompareTo(q); };
                Array.Sort(order, compare);
                for (int j = 0; j < k; j++) result[(o * k + j) * inner + i] = order[j];
            }
        return OpHelpers.LongTensor(result, x.Shape.With(axis, k));
    }

    private static Tensor AsIndex(Tensor t) => t.DType == DType.Int64 ? t : CastOps.To(t, DType.Int64);

    // ONNX allows negative indices counting from the end of the axis.
    private static Tensor Wrap(Tensor index, int size)
    {
        var s = index.AsInt64Span();
        bool any = false;
        foreach (var v in s) any |= v < 0;
        if (!any) return index;
        var data = new long[s.Length];
        for (int i = 0; i < data.Length; i++) data[i] = s[i] < 0 ? s[i] + size : s[i];
        return OpHelpers.LongTensor(data, index.Shape);
    }
}
