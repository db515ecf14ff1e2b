using System.Numerics;

namespace Lumen.Tensors.Kernels;

/// <summary>A comparison of two numbers (IEEE semantics for floats: NaN compares unequal and unordered).</summary>
internal interface IComparisonOperator
{
    static abstract bool Invoke<T>(T x, T y) where T : INumber<T>;
}

internal readonly struct EqualComparison : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x == y;
}

internal readonly struct NotEqualComparison : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x != y;
}

internal readonly struct LessComparison : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x < y;
}

internal readonly struct LessEqualComparison : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x <= y;
}

internal readonly struct GreaterComparison : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x > y;
}

internal readonly struct GreaterEqualComparison : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x >= y;
}

/// <summary>Broadcasting comparisons, specialised per operator and element type (no delegate per element): the
/// innermost merged dimension runs as a tight loop over contiguous or constant operands.</summary>
internal static class Comparisons
{
    internal static void Apply<TOp, T>(ReadOnlySpan<T> a, Shape shapeA, ReadOnlySpan<T> b, Shape shapeB, Span<bool> output, Shape shapeOut)
        where TOp : IComparisonOperator where T : INumber<T>
    {
        if (shapeOut.Size == 0) return;
        var plan = Broadcasting.Plan(shapeOut, shapeA, shapeB);
        int rank = plan.Dims.Length, inner = plan.Dims[rank - 1];
        int ia = plan.StrideA[rank - 1], ib = plan.StrideB[rank - 1];
        int rows = shapeOut.Size / inner;
        Span<int> index = stackalloc int[rank];
        int offA = 0, offB = 0;
        for (int row = 0; row < rows; row++)
        {
            var dst = output.Slice(row * inner, inner);
            if (ia == 1 && ib == 1) Row<TOp, T>(a.Slice(offA, inner), b.Slice(offB, inner), dst);
            else if (ib == 0) RowScalar<TOp, T>(a.Slice(offA), ia, b[offB], dst);
            else
            {
                for (int j = 0; j < inner; j++) dst[j] = TOp.Invoke(a[offA + j * ia], b[offB + j * ib]);
            }
            for (int d = rank - 2; d >= 0; d--)
            {
                offA += plan.StrideA[d];
                offB += plan.StrideB[d];
                if (++index[d] < plan.Dims[d]) break;
                offA -= plan.StrideA[d] * plan.Dims[d];
                offB -= plan.StrideB[d] * plan.Dims[d];
                index[d] = 0;
            }
        }
    }

    private static void Row<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> d) where TOp : IComparisonOperator where T : INumber<T>
    {
        for (int j = 0; j < d.Length; j++) d[j] = TOp.Invoke(a[j], b[j]);
    }

    private static void RowScalar<TOp, T>(ReadOnlySpan<T> a, int strideA, T b, Span<bool> d) where TOp : IComparisonOperator where T : INumber<T>
    {
        if (strideA == 1) for (int j = 0; j < d.Length; j++) d[j] = TOp.Invoke(a[j], b);
        else for (int j = 0; j < d.Length; j++) d[j] = TOp.Invoke(a[j * strideA], b);
    }
}
