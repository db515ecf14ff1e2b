using System.Numerics;
using System.Numerics.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Tensors;

/// <summary>Cumulative sum along an axis (Float32 and Int64).</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Running sum along <paramref name="axis"/> (ONNX <c>CumSum</c>): <c>y_k = Σ_{i ≤ k} x_i</c>; with
    /// <paramref name="exclusive"/> the sum stops before k, with <paramref name="reverse"/> it runs from the end.
    /// </summary>
    /// <example><code>Tensor.FromArray([1f, 2f, 3f]).CumSum(0) // [1, 3, 6];  exclusive: [0, 1, 3];  reverse: [6, 5, 3]</code></example>
    public Tensor CumSum(int axis, bool exclusive = false, bool reverse = false)
    {
        int a = Shape.NormalizeAxis(axis, Rank, "CumSum");
        if (DType == DType.Bool) throw new ArgumentException($"CumSum: Bool tensors of shape {Shape} cannot be summed; convert to Int64 first.");
        int outer = Shape.Product(0, a), n = Rank == 0 ? 1 : Shape.Dims[a], inner = Shape.Product(a + 1, Rank);
        var data = NewStorage(DType, Size);
        if (data is float[] f) RunningSum(Floats, f, outer, n, inner, exclusive, reverse);
        else RunningSum(Longs, (long[])data, outer, n, inner, exclusive, reverse);
        return Gradients.Record(FromStorage(Shape, data), "CumSum", Gradients.CumSumRule(a, exclusive, reverse), this);
    }

    /// <summary>Viewing the data as [outer, n, inner], row k of each slab is row k∓1 of the output plus row k
    /// (inclusive) or row k∓1 (exclusive) of the input.</summary>
    private static void RunningSum<T>(T[] src, T[] dst, int outer, int n, int inner, bool exclusive, bool reverse) where T : INumber<T>
    {
        for (int o = 0; o < outer; o++)
        {
            for (int t = exclusive ? 1 : 0; t < n; t++)
            {
                int k = reverse ? n - 1 - t : t, previous = reverse ? k + 1 : k - 1;
                var row = dst.AsSpan((o * n + k) * inner, inner);
                var addend = src.AsSpan((o * n + (exclusive ? previous : k)) * inner, inner);
                if (t == 0 || (exclusive && t == 1)) addend.CopyTo(row);
                else TensorPrimitives.Add(dst.AsSpan((o * n + previous) * inner, inner), addend, row);
            }
        }
    }
}
