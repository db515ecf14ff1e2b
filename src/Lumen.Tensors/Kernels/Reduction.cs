using System.Numerics.Tensors;

namespace Lumen.Tensors.Kernels;

/// <summary>An associative float reduction: its identity, a whole-span aggregate (SIMD) and a row-wise combine.</summary>
internal interface IReduceOperator
{
    /// <summary>The result of reducing nothing, or NaN where the reduction of nothing is undefined.</summary>
    static abstract float Identity { get; }
    static abstract float Combine(float x, float y);
    static abstract float Aggregate(ReadOnlySpan<float> x);
    /// <summary>acc[i] = Combine(acc[i], row[i]).</summary>
    static abstract void Accumulate(Span<float> acc, ReadOnlySpan<float> row);
}

internal readonly struct SumReducer : IReduceOperator
{
    public static float Identity => 0f;
    public static float Combine(float x, float y) => x + y;
    public static float Aggregate(ReadOnlySpan<float> x) => TensorPrimitives.Sum(x);
    public static void Accumulate(Span<float> acc, ReadOnlySpan<float> row) => TensorPrimitives.Add(acc, row, acc);
}

internal readonly struct ProdReducer : IReduceOperator
{
    public static float Identity => 1f;
    public static float Combine(float x, float y) => x * y;
    public static float Aggregate(ReadOnlySpan<float> x) => TensorPrimitives.Product(x);
    public static void Accumulate(Span<float> acc, ReadOnlySpan<float> row) => TensorPrimitives.Multiply(acc, row, acc);
}

/// <summary>Maximum, NaN-propagating.</summary>
internal readonly struct MaxReducer : IReduceOperator
{
    public static float Identity => float.NaN;
    public static float Combine(float x, float y) => float.IsNaN(x) || float.IsNaN(y) ? float.NaN : MathF.Max(x, y);
    public static float Aggregate(ReadOnlySpan<float> x) => TensorPrimitives.Max(x);
    public static void Accumulate(Span<float> acc, ReadOnlySpan<float> row) => TensorPrimitives.Max(acc, row, acc);
}

/// <summary>Minimum, NaN-propagating.</summary>
internal readonly struct MinReducer : IReduceOperator
{
    public static float Identity => float.NaN;
    public static float Combine(float x, float y) => float.IsNaN(x) || float.IsNaN(y) ? float.NaN : MathF.Min(x, y);
    public static float Aggregate(ReadOnlySpan<float> x) => TensorPrimitives.Min(x);
    public static void Accumulate(Span<float> acc, ReadOnlySpan<float> row) => TensorPrimitives.Min(acc, row, acc);
}

/// <summary>
/// Reductions over any set of axes. Each maximal run of adjacent reduced axes is handled in one pass that views
/// the data as [outer, n, inner]: with inner = 1 every output is one SIMD aggregate over a contiguous span,
/// otherwise the n rows of length inner are combined into the output row with SIMD. Outer slices run in parallel.
/// </summary>
internal static class Reduction
{
    /// <summary>Reduces the flagged axes of <paramref name="x"/> (its first shape.Size values); the result has the
    /// kept dimensions in order.</summary>
    internal static float[] Reduce<TOp>(float[] x, Shape shape, bool[] reduced) where TOp : IReduceOperator
    {
        var dims = shape.ToArray();
        float[] current = x;
        bool copied = false;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            if (!reduced[i]) continue;
            int end = i + 1;
            while (i > 0 && reduced[i - 1]) i--;
            int outer = Product(dims, 0, i), n = Product(dims, i, end), inner = Product(dims, end, dims.Length);
            current = ReduceRun<TOp>(current, outer, n, inner);
            copied = true;
            for (int d = i; d < end; d++) dims[d] = 1;
        }
        return copied ? current : x.AsSpan(0, shape.Size).ToArray();
    }

    /// <summary>[outer, n, inner] → [outer, inner].</summary>
    internal static float[] ReduceRun<TOp>(float[] x, int outer, int n, int inner) where TOp : IReduceOperator
    {
        var result = new float[outer * inner];
        if (n == 0) { Array.Fill(result, TOp.Identity); return result; }
        Parallelism.For(outer, (long)n * inner, (start, end) =>
        {
            for (int o = start; o < end; o++)
            {
                if (inner == 1) { result[o] = TOp.Aggregate(x.AsSpan(o * n, n)); continue; }
                var dst = result.AsSpan(o * inner, inner);
                x.AsSpan(o * n * inner, inner).CopyTo(dst);
                for (int k = 1; k < n; k++) TOp.Accumulate(dst, x.AsSpan((o * n + k) * inner, inner));
            }
        });
        return result;
    }

    /// <summary>The means of the runs of [outer, n]: y[o] = (Σ_j x[o, j]) / n, bitwise a sum over the last axis then a
    /// division by n as two tensor ops compute them (the same SIMD aggregate, the same rounding of one division), in one
    /// pass and one (pooled) array — a global average pool at inference. n = 0 gives NaN, as 0 / 0.</summary>
    internal static float[] MeanRuns(float[] x, int outer, int n)
    {
        var result = StoragePool.NewFloats(outer, overwrite: true);
        float count = n;
        Parallelism.For(outer, n, (start, end) =>
        {
            for (int o = start; o < end; o++) result[o] = SumReducer.Aggregate(x.AsSpan(o * n, n)) / count;
        });
        return result;
    }

    /// <summary>The naive twin: visits every element with a full multi-index and combines it into its output slot.</summary>
    internal static float[] ReduceNaive<TOp>(ReadOnlySpan<float> x, Shape shape, bool[] reduced) where TOp : IReduceOperator
    {
        var outDims = new int[shape.Rank];
        for (int d = 0; d < shape.Rank; d++) outDims[d] = reduced[d] ? 1 : shape.Dims[d];
        var outShape = new Shape(outDims);
        var result = new float[outShape.Size];
        var seen = new bool[result.Length];
        var index = new int[shape.Rank];
        var outStrides = outShape.Strides();
        for (int i = 0; i < x.Length; i++)
        {
            int rem = i, o = 0;
            for (int d = shape.Rank - 1; d >= 0; d--)
            {
                index[d] = rem % shape.Dims[d];
                rem /= shape.Dims[d];
                if (!reduced[d]) o += index[d] * outStrides[d];
            }
            result[o] = seen[o] ? TOp.Combine(result[o], x[i]) : x[i];
            seen[o] = true;
        }
        for (int o = 0; o < result.Length; o++) if (!seen[o]) result[o] = TOp.Identity;
        return result;
    }

    /// <summary>Reduces the flagged axes of an Int64 tensor with <paramref name="combine"/> (sum, max, min).</summary>
    internal static long[] ReduceInt64(ReadOnlySpan<long> x, Shape shape, bool[] reduced, long identity, Func<long, long, long> combine)
    {
        var dims = shape.ToArray();
        long[] current = x.ToArray();
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            if (!reduced[i]) continue;
            int end = i + 1;
            while (i > 0 && reduced[i - 1]) i--;
            int outer = Product(dims, 0, i), n = Product(dims, i, end), inner = Product(dims, end, dims.Length);
            var next = new long[outer * inner];
            Array.Fill(next, identity);
            for (int o = 0; o < outer; o++)
                for (int k = 0; k < n; k++)
                    for (int j = 0; j < inner; j++)
                        next[o * inner + j] = combine(next[o * inner + j], current[(o * n + k) * inner + j]);
            current = next;
            for (int d = i; d < end; d++) dims[d] = 1;
        }
        return current;
    }

    /// <summary>Index of the largest (or smallest) element along the middle axis of [outer, n, inner]; NaN counts
    /// as the extreme; ties go to the first index, or the last with <paramref name="last"/>.</summary>
    internal static long[] ArgExtreme(float[] x, int outer, int n, int inner, bool max, bool last)
    {
        var result = new long[outer * inner];
        Parallelism.For(outer, (long)n * inner, (start, end) =>
        {
            for (int o = start; o < end; o++)
                for (int j = 0; j < inner; j++)
                {
                    int baseIndex = o * n * inner + j, best = 0;
                    float bestValue = x[baseIndex];
                    for (int k = 1; k < n && !float.IsNaN(bestValue); k++)
                    {
                        float v = x[baseIndex + k * inner];
                        bool better = float.IsNaN(v) || (max ? v > bestValue : v < bestValue) || (last && v == bestValue);
                        if (better) { best = k; bestValue = v; }
                    }
                    result[o * inner + j] = best;
                }
        });
        return result;
    }

    private static int Product(int[] dims, int start, int end)
    {
        int p = 1;
        for (int d = start; d < end; d++) p *= dims[d];
        return p;
    }
}
