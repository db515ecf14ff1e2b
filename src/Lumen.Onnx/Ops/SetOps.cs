using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Unique: the distinct elements (or slices along an axis) of a tensor, with the index of each one's first
/// occurrence, the inverse mapping and the counts.</summary>
/// <remarks>With sorted=1 the distinct values are in ascending (lexicographic for slices) order, else in order of
/// first occurrence. Y is gathered from X at the first occurrences, so its gradient flows to those elements.</remarks>
internal static class SetOps
{
    public static void Register() => OnnxOps.Register("Unique", 11, node =>
    {
        long? axisAttribute = node.Has("axis") ? node.Int("axis") : null;
        bool sorted = node.Int("sorted", 1) != 0;
        return inputs =>
        {
            var x = inputs.Arg(0);
            int? axis = axisAttribute is { } a ? OpHelpers.Axis(a, x.Rank, "Unique") : null;
            var source = axis is null ? x.Reshape(-1) : x;
            int along = axis ?? 0;
            int n = source.Shape[along];
            var keys = SliceKeys(source, along);
            var firsts = new List<int>();
            var inverse = new long[n];
            var groups = new Dictionary<string, int>(StringComparer.Ordinal);
            var counts = new List<long>();
            for (int i = 0; i < n; i++)
            {
                string key = string.Join(",", keys[i].Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                if (!groups.TryGetValue(key, out var g)) { groups[key] = g = firsts.Count; firsts.Add(i); counts.Add(0); }
                inverse[i] = g;
                counts[g]++;
            }
            var order = Enumerable.Range(0, firsts.Count).ToArray();
            if (sorted) Array.Sort(order, (p, q) => Compare(keys[firsts[p]], keys[firsts[q]]));
            var rank = new long[order.Length];
            for (int r = 0; r < order.Length; r++) rank[order[r]] = r;
            var indices = order.Select(g => (long)firsts[g]).ToArray();
            var y = source.IndexSelect(along, OpHelpers.LongVector(indices));
            return [y, OpHelpers.LongVector(indices), OpHelpers.LongVector([.. inverse.Select(g => rank[g])]), OpHelpers.LongVector([.. order.Select(g => counts[g])])];
        };
    });

    // The values of each slice along `axis`, as doubles (exact for float32 and for int64 below 2^53).
    private static double[][] SliceKeys(Tensor x, int axis)
    {
        var values = x.DType switch
        {
            DType.Float32 => x.ToArray().Select(v => (double)v).ToArray(),
            DType.Int64 => x.ToInt64Array().Select(v => (double)v).ToArray(),
            _ => x.ToBoolArray().Select(v => v ? 1.0 : 0.0).ToArray(),
        };
        int n = x.Shape[axis], inner = 1, outer = 1;
        for (int d = axis + 1; d < x.Rank; d++) inner *= x.Shape[d];
        for (int d = 0; d < axis; d++) outer *= x.Shape[d];
        var keys = new double[n][];
        for (int i = 0; i < n; i++)
        {
            keys[i] = new double[outer * inner];
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++) keys[i][o * inner + j] = values[(o * n + i) * inner + j];
        }
        return keys;
    }

    private static int Compare(double[] a, double[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            int c = a[i].CompareTo(b[i]);
            if (c != 0) return c;
        }
        return 0;
    }
}
