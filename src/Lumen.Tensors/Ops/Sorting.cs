namespace Lumen.Tensors;

/// <summary>Sorting along an axis: Sort, ArgSort and TopK (every dtype). Orders are stable (equal values keep
/// their index order) and NaN sorts as larger than every number, as in NumPy and PyTorch. Values are read back
/// with <see cref="Gather"/>, so their gradient flows to the positions they came from.</summary>
public sealed partial class Tensor
{
    /// <summary>Sorts along <paramref name="axis"/>; returns the sorted values and their Int64 source indices.</summary>
    /// <example><code>var (values, indices) = x.Sort(descending: true);</code></example>
    public (Tensor Values, Tensor Indices) Sort(int axis = -1, bool descending = false)
    {
        int a = DimensionAxis(axis, "Sort");
        var indices = SortedIndices("Sort", a, descending, Shape.Dims[a]);
        return (Gather(a, indices), indices);
    }

    /// <summary>The Int64 indices that sort the tensor along <paramref name="axis"/> (stable).</summary>
    public Tensor ArgSort(int axis = -1, bool descending = false)
    {
        int a = DimensionAxis(axis, "ArgSort");
        return SortedIndices("ArgSort", a, descending, Shape.Dims[a]);
    }

    /// <summary>
    /// The <paramref name="k"/> largest (or smallest) entries along <paramref name="axis"/> and their Int64
    /// indices (ONNX <c>TopK</c>, PyTorch <c>topk</c>). Results always come in sorted order (best first), which
    /// also satisfies <paramref name="sorted"/> = false; ties go to the lower index. Gradients reach the values.
    /// </summary>
    public (Tensor Values, Tensor Indices) TopK(int k, int axis = -1, bool largest = true, bool sorted = true)
    {
        _ = sorted;
        int a = DimensionAxis(axis, "TopK");
        int n = Shape.Dims[a];
        if (k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"TopK: k = {k} is out of range [0, {n}] for axis {axis} of shape {Shape}.");
        var indices = SortedIndices("TopK", a, largest, k);
        return (Gather(a, indices), indices);
    }

    /// <summary>For each line along <paramref name="axis"/>, the indices of its first <paramref name="keep"/>
    /// elements in sorted order; shape is this shape with <paramref name="keep"/> on the axis.</summary>
    private Tensor SortedIndices(string op, int axis, bool descending, int keep)
    {
        int outer = Shape.Product(0, axis), n = Shape.Dims[axis], inner = Shape.Product(axis + 1, Rank);
        var result = new long[outer * keep * inner];
        Comparison<int> Comparer(int line) => Storage switch
        {
            float[] f => (p, q) => CompareFloats(f[line + p * inner], f[line + q * inner]),
            long[] l => (p, q) => l[line + p * inner].CompareTo(l[line + q * inner]),
            bool[] b => (p, q) => b[line + p * inner].CompareTo(b[line + q * inner]),
            _ => throw new ArgumentException($"{op}: unsupported dtype {DType}."),
        };
        Parallelism.For(outer * inner, n * (long)Math.Max(1, Math.Log2(n + 1)) * 8, (start, end) =>
        {
            var order = new int[n];
            for (int line = start; line < end; line++)
            {
                int o = line / inner, i = line % inner;
                var compare = Comparer(o * n * inner + i);
                for (int p = 0; p < n; p++) order[p] = p;
                Array.Sort(order, (p, q) =>
                {
                    int c = descending ? compare(q, p) : compare(p, q);
                    return c != 0 ? c : p.CompareTo(q);
                });
                for (int j = 0; j < keep; j++) result[(o * keep + j) * inner + i] = order[j];
            }
        });
        return new Tensor(Shape.With(axis, keep), result);
    }

    /// <summary>Total order on floats with NaN above +∞.</summary>
    private static int CompareFloats(float x, float y) =>
        float.IsNaN(x) ? (float.IsNaN(y) ? 0 : 1) : float.IsNaN(y) ? -1 : x.CompareTo(y);
}
