namespace Lumen.Tensors.Kernels;

/// <summary>The naive twin of <see cref="Gemm"/>: the triple loop, the test oracle for the fast kernel.</summary>
internal static class GemmNaive
{
    /// <summary>C += op(A)·op(B) with the same layout conventions as <see cref="Gemm.Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool, bool, bool)"/>.</summary>
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
