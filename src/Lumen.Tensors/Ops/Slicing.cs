using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Slicing, splitting, concatenation, stacking and padding. All work for every dtype; each is a
/// strided block copy, and its gradient is the copy back through the same window.</summary>
public sealed partial class Tensor
{
    /// <summary>Elements <c>start, start+step, …</c> before <paramref name="end"/> along one axis, with Python
    /// slice semantics: negative start/end count from the end, out-of-range bounds are clamped, a negative step
    /// walks backwards (then start defaults to the last element when it is past it).</summary>
    /// <example><code>x.Slice(1, 0, int.MaxValue, 2) // every other column;  x.Slice(0, -1, int.MinValue, -1) // rows reversed</code></example>
    public Tensor Slice(int axis, long start, long end, long step = 1) => Slice([start], [end], [axis], [step]);

    /// <summary>ONNX <c>Slice</c>: slices each of <paramref name="axes"/> (all leading axes when null) by the
    /// matching start, end and step (1 when null), with the clamping of <see cref="Slice(int, long, long, long)"/>.
    /// <c>long.MaxValue</c>/<c>long.MinValue</c> mean "to the end" as in ONNX models.</summary>
    public Tensor Slice(long[] starts, long[] ends, int[]? axes = null, long[]? steps = null)
    {
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(ends);
        axes ??= Enumerable.Range(0, starts.Length).ToArray();
        steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw new ArgumentException($"Slice: starts ({starts.Length}), ends ({ends.Length}), axes ({axes.Length}) and steps ({steps.Length}) must have the same length (shape {Shape}).");
        var strides = Shape.Strides();
        var dims = Shape.ToArray();
        var windowStrides = Shape.Strides();
        AxisFlags(axes, "Slice");
        int offset = 0;
        for (int i = 0; i < axes.Length; i++)
        {
            int a = DimensionAxis(axes[i], "Slice");
            if (steps[i] == 0) throw new ArgumentException($"Slice: step is 0 on axis {axes[i]} of shape {Shape}.");
            var (first, count) = SliceRange(starts[i], ends[i], steps[i], Shape.Dims[a]);
            dims[a] = count;
            if (count > 0) offset += first * strides[a];
            if (count > 1) windowStrides[a] = (int)(strides[a] * steps[i]);
        }
        var outShape = new Shape(dims);
        if (outShape == Shape && steps.All(s => s == 1)) return this;
        return CopyWindow("Slice", new StridedWindow(offset, dims, windowStrides), outShape, StridedWindow.Whole(outShape), 0f);
    }

    /// <summary>Python/ONNX slice clamping: the first index and the number of elements of start:end:step in n.</summary>
    internal static (int First, int Count) SliceRange(long start, long end, long step, int n)
    {
        if (start < 0) start += n;
        if (end < 0) end += n;
        long count;
        if (step > 0)
        {
            start = Math.Clamp(start, 0, n);
            end = Math.Clamp(end, 0, n);
            count = end > start ? (end - start + step - 1) / step : 0;
        }
        else
        {
            start = Math.Clamp(start, -1, n - 1);
            end = Math.Clamp(end, -1, n - 1);
            count = start > end ? (start - end - step - 1) / -step : 0;
        }
        return ((int)start, (int)count);
    }

    /// <summary>Splits along <paramref name="axis"/> into consecutive pieces of the given sizes, which must add
    /// up to the dimension (ONNX <c>Split</c>, PyTorch <c>split</c> with a list).</summary>
    public Tensor[] Split(int[] sizes, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        int a = DimensionAxis(axis, "Split");
        if (sizes.Any(s => s < 0) || sizes.Sum() != Shape.Dims[a])
            throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] do not add up to dimension {axis} of shape {Shape} ({Shape.Dims[a]}).");
        var pieces = new Tensor[sizes.Length];
        for (int i = 0, at = 0; i < sizes.Length; at += sizes[i], i++)
            pieces[i] = Slice(a, at, at + sizes[i]);
        return pieces;
    }

    /// <summary>Splits along <paramref name="axis"/> into <paramref name="chunks"/> pieces of ⌈n/chunks⌉ (the
    /// last one smaller), as PyTorch <c>chunk</c>; this can give fewer than <paramref name="chunks"/> pieces.</summary>
    public Tensor[] Chunk(int chunks, int axis = 0)
    {
        int a = DimensionAxis(axis, "Chunk");
        if (chunks < 1) throw new ArgumentOutOfRangeException(nameof(chunks), $"Chunk: chunks must be at least 1, got {chunks} (shape {Shape}).");
        int n = Shape.Dims[a], size = Math.Max(1, (n + chunks - 1) / chunks);
        var sizes = new List<int>();
        for (int at = 0; at < n; at += size) sizes.Add(Math.Min(size, n - at));
        if (sizes.Count == 0) sizes.Add(0);
        return Split([.. sizes], a);
    }

    /// <summary>Joins tensors of the same dtype and rank along <paramref name="axis"/>; the other dimensions must match.</summary>
    /// <example><code>Tensor.Concat([a, b], axis: 1) // [2, 3] and [2, 5] -> [2, 8]</code></example>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Concat: no tensors given.");
        var first = tensors[0];
        int a = first.DimensionAxis(axis, "Concat");
        int total = 0;
        foreach (var t in tensors)
        {
            bool same = t.DType == first.DType && t.Rank == first.Rank;
            for (int d = 0; same && d < t.Rank; d++) same = d == a || t.Shape.Dims[d] == first.Shape.Dims[d];
            if (!same)
                throw new ArgumentException($"Concat: cannot join {t.DType} {t.Shape} with {first.DType} {first.Shape} along axis {axis} (all dimensions but the axis and the dtype must match).");
            total += t.Shape.Dims[a];
        }
        var outShape = first.Shape.With(a, total);
        var data = NewStorage(first.DType, outShape.Size, overwrite: true);
        var outStrides = outShape.Strides();
        var places = new StridedWindow[tensors.Count];
        for (int i = 0, at = 0; i < tensors.Count; at += tensors[i].Shape.Dims[a], i++)
            places[i] = new StridedWindow(at * outStrides[a], tensors[i].Shape.ToArray(), outStrides);
        // [outer, Σ blocks]: each input's rows side by side, all copied in one parallel pass
        int inner = outShape.Product(a + 1, outShape.Rank);
        ConcatCopy.Run([.. tensors.Select(t => t.Storage)], [.. tensors.Select(t => t.Shape.Dims[a] * inner)], data, outShape.Product(0, a));
        var inputs = tensors.ToArray();
        return Gradients.Record(FromStorage(outShape, data), "Concat", Gradients.ConcatRule(inputs, places), inputs);
    }

    /// <summary>Stacks tensors of one shape along a new dimension at <paramref name="axis"/> (in [−r−1, r]).</summary>
    /// <example><code>Tensor.Stack([a, b]) // two [3, 4] -> [2, 3, 4]</code></example>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Stack: no tensors given.");
        foreach (var t in tensors)
            if (t.Shape != tensors[0].Shape) throw new ArgumentException($"Stack: shapes {tensors[0].Shape} and {t.Shape} differ.");
        int a = Shape.NormalizeAxis(axis, tensors[0].Rank + 1, "Stack");
        return Concat(tensors.Select(t => t.Unsqueeze(a)).ToArray(), a);
    }

    /// <summary>
    /// ONNX <c>Pad</c>: <paramref name="pads"/> holds the begin pads of every axis then the end pads,
    /// <c>[x1_begin, x2_begin, …, x1_end, x2_end, …]</c>. Negative pads crop. Reflect and wrap need the pad to
    /// be smaller than (reflect) or at most (wrap) the dimension, edge a non-empty dimension.
    /// </summary>
    /// <example><code>img.Pad([0, 0, 1, 1, 0, 0, 1, 1]) // [N, C, H, W] -> [N, C, H+2, W+2], zeros around</code></example>
    public Tensor Pad(int[] pads, PadMode mode = PadMode.Constant, float value = 0f)
    {
        ArgumentNullException.ThrowIfNull(pads);
        if (pads.Length != 2 * Rank)
            throw new ArgumentException($"Pad: {pads.Length} pads given for shape {Shape}; expected {2 * Rank} (begin pads of every axis, then end pads).");
        var dims = new int[Rank];
        for (int d = 0; d < Rank; d++)
        {
            dims[d] = Shape.Dims[d] + pads[d] + pads[d + Rank];
            if (dims[d] < 0) throw new ArgumentException($"Pad: pads [{string.Join(", ", pads)}] crop more than dimension {d} of shape {Shape}.");
        }
        if (mode == PadMode.Constant) return PadConstant(pads, new Shape(dims), value);
        // crop first, then grow one axis at a time by concatenating the border slabs
        var x = PadConstant(pads.Select(p => Math.Min(p, 0)).ToArray(), new Shape(Shape.Dims.ToArray().Select((n, d) => n + Math.Min(pads[d], 0) + Math.Min(pads[d + Rank], 0)).ToArray()), 0f);
        for (int d = 0; d < Rank; d++)
        {
            int begin = Math.Max(pads[d], 0), end = Math.Max(pads[d + Rank], 0), n = x.Shape.Dims[d];
            if (begin == 0 && end == 0) continue;
            bool fits = mode switch { PadMode.Reflect => begin < n && end < n, PadMode.Wrap => begin <= n && end <= n, _ => n > 0 };
            if (!fits) throw new ArgumentException($"Pad: {mode} pads {begin} and {end} do not fit dimension {d} of size {n} (shape {Shape}).");
            var (head, tail) = mode switch
            {
                PadMode.Reflect => (x.Slice(d, begin, 0, -1), x.Slice(d, n - 2, n - 2 - end >= 0 ? n - 2 - end : long.MinValue, -1)),
                PadMode.Wrap => (x.Slice(d, n - begin, n), x.Slice(d, 0, end)),
                _ => (x.Slice(d, 0, 1).BroadcastTo(x.Shape.With(d, begin)), x.Slice(d, n - 1, n).BroadcastTo(x.Shape.With(d, end))),
            };
            x = Concat([head, x, tail], d);
        }
        return x;
    }

    /// <summary>Constant padding and cropping in one block copy: the kept part of the input goes to its place in
    /// an output pre-filled with <paramref name="value"/>.</summary>
    private Tensor PadConstant(int[] pads, Shape outShape, float value)
    {
        var inStrides = Shape.Strides();
        var outStrides = outShape.Strides();
        var kept = new int[Rank];
        int from = 0, to = 0;
        for (int d = 0; d < Rank; d++)
        {
            int cropBegin = Math.Max(-pads[d], 0), cropEnd = Math.Max(-pads[d + Rank], 0);
            kept[d] = Math.Max(Shape.Dims[d] - cropBegin - cropEnd, 0);
            from += cropBegin * inStrides[d];
            to += Math.Max(pads[d], 0) * outStrides[d];
        }
        if (outShape == Shape && kept.SequenceEqual(Shape.Dims.ToArray())) return this;
        return CopyWindow("Pad", new StridedWindow(from, kept, inStrides), outShape, new StridedWindow(to, kept, outStrides), value);
    }
}
