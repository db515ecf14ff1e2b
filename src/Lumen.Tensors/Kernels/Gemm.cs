namespace Lumen.Tensors.Kernels;

/// <summary>
/// Single-precision matrix multiply on row-major, densely packed matrices:
/// C[m,n] (+)= op(A)·op(B), where op(A) is [m,k] (A stored [k,m] when <c>transA</c>) and op(B) is [k,n]
/// (B stored [n,k] when <c>transB</c>).
/// </summary>
internal static class Gemm
{
    /// <summary>C (+)= op(A)·op(B). Overwrites C unless <paramref name="accumulate"/>.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transA = false, bool transB = false, bool accumulate = false)
    {
        if (!accumulate) c[..(m * n)].Clear();
        GemmNaive.Multiply(a, b, c, m, n, k, transA, transB);
    }
}

/// <summary>The naive twin of <see cref="Gemm"/>: the triple loop, the test oracle for the fast kernel.</summary>
internal static class GemmNaive
{
    /// <summary>C += op(A)·op(B).</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool transA, bool transB)
    {
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                float av = transA ? a[p * m + i] : a[i * k + p];
                if (av == 0) continue;
                var row = c.Slice(i * n, n);
                if (transB) for (int j = 0; j < n; j++) row[j] += av * b[j * k + p];
                else
                {
                    var brow = b.Slice(p * n, n);
                    for (int j = 0; j < n; j++) row[j] += av * brow[j];
                }
            }
        }
    }
}
