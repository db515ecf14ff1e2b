using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Layout ops: Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Expand, Tile, Pad,
/// DepthToSpace, SpaceToDepth.</summary>
internal static class ShapeOps
{
    public static void Register()
    {
        OnnxOps.Register("Reshape", 5, node =>
        {
            bool allowZero = node.Int("allowzero", 0) != 0;
            // A constant target shape whose leading 1 is the batch that the model fixed at 1 follows the real batch.
            bool adaptBatch = node.BatchFlexible && node.ConstantInput(1) is { } s && s.Size > 0 && OpHelpers.Longs(s)[0] == 1;
            return inputs => [Reshape(inputs.Arg(0), OpHelpers.Longs(inputs.Arg(1)), allowZero, adaptBatch)];
        });
        OnnxOps.Register("Flatten", 1, node =>
        {
            long axis = node.Int("axis", 1);
            return inputs =>
            {
                var x = inputs.Arg(0);
                int a = axis < 0 ? (int)axis + x.Rank : (int)axis;
                if (a < 0 || a > x.Rank) throw new ArgumentException($"Flatten: axis {axis} is out of range for shape {x.Shape}.");
                return [x.Reshape(x.Shape.Product(0, a), x.Shape.Product(a, x.Rank))];
            };
        });
        OnnxOps.Register("Squeeze", 1, node =>
        {
            long[]? axes = node.Ints("axes");
            return inputs => [Squeeze(inputs.Arg(0), axes)];
        });
        OnnxOps.Register("Squeeze", 13, node => inputs => [Squeeze(inputs.Arg(0), inputs.Optional(1) is { } a ? OpHelpers.Longs(a) : null)]);
        OnnxOps.Register("Unsqueeze", 1, node =>
        {
            long[] axes = node.Ints("axes") ?? throw node.Error("attribute 'axes' is required.");
            return inputs => [Unsqueeze(inputs.Arg(0), axes)];
        });
        OnnxOps.Register("Unsqueeze", 13, node => inputs => [Unsqueeze(inputs.Arg(0), OpHelpers.Longs(inputs.Arg(1)))]);
        OnnxOps.Register("Transpose", 1, node =>
        {
            long[]? perm = node.Ints("perm");
            return inputs =>
            {
                var x = inputs.Arg(0);
                var p = perm is null ? Enumerable.Range(0, x.Rank).Reverse().ToArray() : OpHelpers.Ints(perm);
                return [x.Rank < 2 ? x : x.Permute(p)];
            };
        });
        OnnxOps.Register("Concat", 4, node =>
        {
            long axis = node.Int("axis");
            return inputs =>
            {
                var parts = inputs.Where(t => t is not null).Select(t => t!).ToList();
                int a = OpHelpers.Axis(axis, parts[0].Rank, "Concat");
                var nonEmpty = parts.Where(t => t.Shape[a] > 0).ToList();
                return [nonEmpty.Count == 1 ? nonEmpty[0] : Tensor.Concat(nonEmpty.Count == 0 ? parts : nonEmpty, a)];
            };
        });
        OnnxOps.Register("Split", 2, node =>
        {
            long axis = node.Int("axis", 0);
            long[]? split = node.Ints("split");
            int count = node.Outputs.Count;
            return inputs => Split(inputs.Arg(0), axis, split, count);
        });
        OnnxOps.Register("Split", 13, node =>
        {
            long axis = node.Int("axis", 0);
            int count = node.Has("num_outputs") ? (int)node.Int("num_outputs") : node.Outputs.Count;
            return inputs => Split(inputs.Arg(0), axis, inputs.Optional(1) is { } s ? OpHelpers.Longs(s) : null, count);
        });
        OnnxOps.Register("Slice", 1, node =>
        {
            long[] starts = node.Ints("starts") ?? throw node.Error("attribute 'starts' is required.");
            long[] ends = node.Ints("ends") ?? throw node.Error("attribute 'ends' is required.");
            long[]? axes = node.Ints("axes");
            return inputs => [Slice(inputs.Arg(0), starts, ends, axes, null)];
        });
        OnnxOps.Register("Slice", 10, node => inputs =>
            [Slice(inputs.Arg(0), OpHelpers.Longs(inputs.Arg(1)), OpHelpers.Longs(inputs.Arg(2)),
                inputs.Optional(3) is { } a ? OpHelpers.Longs(a) : null, inputs.Optional(4) is { } s ? OpHelpers.Longs(s) : null)]);
        OnnxOps.Register("Expand", 8, node => inputs =>
        {
            var x = inputs.Arg(0);
            var shape = Shape.Broadcast(x.Shape, new Shape(OpHelpers.Ints(inputs.Arg(1))), "Expand");
            return [x.BroadcastTo(shape)];
        });
        OnnxOps.Register("Tile", 6, node => inputs => [Tile(inputs.Arg(0), OpHelpers.Ints(inputs.Arg(1)))]);
        OnnxOps.Register("DepthToSpace", 1, node =>
        {
            int b = (int)node.Int("blocksize");
            bool crd = node.String("mode", "DCR") == "CRD";
            return inputs =>
            {
                var x = inputs.Arg(0);
                int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
                var split = crd ? x.Reshape(n, c / (b * b), b, b, h, w).Permute(0, 1, 4, 2, 5, 3)
                                : x.Reshape(n, b, b, c / (b * b), h, w).Permute(0, 3, 4, 1, 5, 2);
                return [split.Reshape(n, c / (b * b), h * b, w * b)];
            };
        });
        OnnxOps.Register("SpaceToDepth", 1, node =>
        {
            int b = (int)node.Int("blocksize");
            return inputs =>
            {
                var x = inputs.Arg(0);
                int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
                return [x.Reshape(n, c, h / b, b, w / b, b).Permute(0, 3, 5, 1, 2, 4).Reshape(n, c * b * b, h / b, w / b)];
            };
        });
        OnnxOps.Register("CenterCropPad", 18, node =>
        {
            long[]? axes = node.Ints("axes");
            return inputs =>
            {
                var x = inputs.Arg(0);
                var shape = OpHelpers.Ints(inputs.Arg(1));
                var axisList = axes is null ? Enumerable.Range(0, x.Rank).ToArray() : [.. axes.Select(a => OpHelpers.Axis(a, x.Rank, "CenterCropPad"))];
                if (shape.Length != axisList.Length) throw new ArgumentException($"CenterCropPad: {shape.Length} sizes for {axisList.Length} axes of {x.Shape}.");
                for (int i = 0; i < axisList.Length; i++)
                {
                    int a = axisList[i], size = x.Shape[a], target = shape[i];
                    if (target < size)
                    {
                        int start = (size - target) / 2;
                        x = x.Slice(a, start, start + target, 1);
                    }
                    else if (target > size)
                    {
                        var pads = new int[2 * x.Rank];
                        pads[a] = (target - size) / 2;
                        pads[a + x.Rank] = target - size - pads[a];
                        x = x.Pad(pads, PadMode.Constant, 0f);
                    }
                }
                return [x];
            };
        });
        PadOps.Register();
    }

    private static Tensor Reshape(Tensor x, long[] shape, bool allowZero, bool adaptBatch)
    {
        var dims = new int[shape.Length];
        for (int i = 0; i < dims.Length; i++)
            dims[i] = shape[i] == 0 && !allowZero ? (i < x.Rank ? x.Shape[i] : throw new ArgumentException($"Reshape: 0 at position {i} copies a dimension that input {x.Shape} lacks."))
                : OpHelpers.Saturate(shape[i]);
        if (adaptBatch && dims.Length > 0 && dims[0] == 1 && x.Rank > 0 && x.Shape[0] != 1 && dims.All(d => d != -1) && new Shape(dims).Size * x.Shape[0] == x.Size)
            dims[0] = x.Shape[0];
        return x.Reshape(dims);
    }

    private static Tensor Squeeze(Tensor x, long[]? axes)
    {
        var drop = new bool[x.Rank];
        if (axes is null || axes.Length == 0)
            for (int i = 0; i < x.Rank; i++) drop[i] = x.Shape[i] == 1;
        else
            foreach (var a in axes)
            {
                int axis = OpHelpers.Axis(a, x.Rank, "Squeeze");
                if (x.Shape[axis] != 1) throw new ArgumentException($"Squeeze: dimension {axis} of shape {x.Shape} is not 1.");
                drop[axis] = true;
            }
        return x.Reshape([.. Enumerable.Range(0, x.Rank).Where(i => !drop[i]).Select(i => x.Shape[i])]);
    }

    private static Tensor Unsqueeze(Tensor x, long[] axes)
    {
        int rank = x.Rank + axes.Length;
        var inserted = new bool[rank];
        foreach (var a in axes)
        {
            int axis = OpHelpers.Axis(a, rank, "Unsqueeze");
            if (inserted[axis]) throw new ArgumentException($"Unsqueeze: axis {a} is repeated.");
            inserted[axis] = true;
        }
        var dims = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) dims[i] = inserted[i] ? 1 : x.Shape[j++];
        return x.Reshape(dims);
    }

    private static Tensor[] Split(Tensor x, long axis, long[]? split, int count)
    {
        int a = OpHelpers.Axis(axis, x.Rank, "Split");
        int length = x.Shape[a];
        int[] sizes;
        if (split is not null) sizes = OpHelpers.Ints(split);
        else
        {
            int chunk = (length + count - 1) / count;
            sizes = new int[count];
            for (int i = 0; i < count; i++) sizes[i] = Math.Max(0, Math.Min(chunk, length - i * chunk));
        }
        if (sizes.Sum() != length) throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] do not add up to dimension {a} of {x.Shape}.");
        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = x.Slice(a, start, start + sizes[i], 1);
            start += sizes[i];
        }
        return parts;
    }

    private static Tensor Slice(Tensor x, long[] starts, long[] ends, long[]? axes, long[]? steps)
    {
        if (starts.Length != ends.Length) throw new ArgumentException($"Slice: {starts.Length} starts but {ends.Length} ends.");
        var axisList = axes is null ? Enumerable.Range(0, starts.Length).ToArray() : [.. axes.Select(a => OpHelpers.Axis(a, x.Rank, "Slice"))];
        return x.Slice(starts, ends, axisList, steps);
    }

    // tile(x, r): view x [d0, d1, …] as [1, d0, 1, d1, …], broadcast to [r0, d0, r1, d1, …] and merge pairs.
    private static Tensor Tile(Tensor x, int[] repeats)
    {
        if (repeats.Length != x.Rank) throw new ArgumentException($"Tile: {repeats.Length} repeats for shape {x.Shape}.");
        var expanded = new int[2 * x.Rank];
        var target = new int[2 * x.Rank];
        var result = new int[x.Rank];
        for (int i = 0; i < x.Rank; i++)
        {
            expanded[2 * i] = 1; expanded[2 * i + 1] = x.Shape[i];
            target[2 * i] = repeats[i]; target[2 * i + 1] = x.Shape[i];
            result[i] = repeats[i] * x.Shape[i];
        }
        return x.Reshape(expanded).BroadcastTo(new Shape(target)).Reshape(result);
    }
}
