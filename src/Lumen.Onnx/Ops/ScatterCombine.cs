using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// ScatterElements and ScatterND with reduction <c>mul</c>, <c>max</c> or <c>min</c> (opset 16/18), composed from the
/// engine's replacing scatter so that gradients reach both the data and the updates: every update element gets its
/// flat target in the data, the updates are split into rounds in which no target repeats (the k-th update aimed at
/// a target goes to round k), and each round combines y with y.ScatterElements(targets, updates):
/// y·(1 scattered with u), max(y, y with u written), min(y, y with u written).
/// </summary>
internal static class ScatterCombine
{
    /// <summary>Whether this class handles the <c>reduction</c> attribute value (mul, max, min; none and add run on the engine).</summary>
    public static bool Handles(string reduction) => reduction is "mul" or "max" or "min";

    /// <summary>Flat data positions of ScatterElements' updates: each update's own coordinates with the
    /// <paramref name="axis"/> coordinate replaced by its index (negative indices count from the end).</summary>
    public static long[] ElementTargets(Shape data, int axis, long[] index, Shape updates)
    {
        var targets = new long[index.Length];
        var coordinates = new int[updates.Rank];
        int[] sizes = updates.ToArray();
        for (int i = 0; i < index.Length; i++)
        {
            OpHelpers.Unflatten(i, sizes, coordinates);
            long flat = 0;
            for (int d = 0; d < data.Rank; d++)
            {
                long c = d == axis ? (index[i] < 0 ? index[i] + data[d] : index[i]) : coordinates[d];
                if (c < 0 || c >= data[d]) throw new ArgumentException($"ScatterElements: index {index[i]} is out of range for axis {axis} of {data}.");
                flat = flat * data[d] + c;
            }
            targets[i] = flat;
        }
        return targets;
    }

    /// <summary>Flat data positions of ScatterND's updates: index tuple j (the last axis of the indices, length k)
    /// addresses a slice of data.shape[k:], written by the update elements of row j.</summary>
    public static long[] NdTargets(Shape data, long[] indices, int k)
    {
        int tuples = k == 0 ? 1 : indices.Length / k, slice = data.Product(k, data.Rank);
        var targets = new long[(long)tuples * slice];
        for (int j = 0; j < tuples; j++)
        {
            long start = 0;
            for (int d = 0; d < k; d++)
            {
                long c = indices[j * k + d];
                if (c < 0) c += data[d];
                if (c < 0 || c >= data[d]) throw new ArgumentException($"ScatterND: index {indices[j * k + d]} is out of range for axis {d} of {data}.");
                start = start * data[d] + c;
            }
            for (int e = 0; e < slice; e++) targets[(long)j * slice + e] = start * slice + e;
        }
        return targets;
    }

    /// <summary>Combines <paramref name="updates"/> (any shape, one element per target) into <paramref name="data"/>.</summary>
    public static Tensor Apply(Tensor data, long[] targets, Tensor updates, string reduction)
    {
        if (updates.Size != targets.Length) throw new ArgumentException($"scatter: {updates.Size} updates for {targets.Length} targets.");
        var y = data.Reshape(-1);
        var u = updates.Reshape(-1);
        var seen = new Dictionary<long, int>();
        var rounds = new List<(List<long> Elements, List<long> Targets)>();
        for (int i = 0; i < targets.Length; i++)
        {
            int round = seen.TryGetValue(targets[i], out int r) ? r : 0;
            seen[targets[i]] = round + 1;
            if (round == rounds.Count) rounds.Add(([], []));
            rounds[round].Elements.Add(i);
            rounds[round].Targets.Add(targets[i]);
        }
        foreach (var (elements, positions) in rounds)
        {
            var index = OpHelpers.LongVector([.. positions]);
            var values = u.IndexSelect(0, OpHelpers.LongVector([.. elements]));
            y = reduction switch
            {
                "mul" => y * OnesLike(y).ScatterElements(0, index, values),
                "max" => y.Maximum(y.ScatterElements(0, index, values)),
                "min" => y.Minimum(y.ScatterElements(0, index, values)),
                _ => throw new ArgumentException($"scatter: unknown reduction '{reduction}'."),
            };
        }
        return y.Reshape(data.Shape.ToArray());
    }

    private static Tensor OnesLike(Tensor t) => t.DType == DType.Int64 ? OpHelpers.LongTensor([.. Enumerable.Repeat(1L, t.Size)], t.Shape) : Tensor.Ones(t.Shape);
}
