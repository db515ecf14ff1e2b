using System.Runtime.CompilerServices;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Packs blocks of op(A) and op(B) into the contiguous micro-panel layout the GEMM micro-kernels stream through,
/// resolving the transposes and zero-padding the ragged last panel.
/// </summary>
/// <remarks>
/// Packed A: for each panel of <c>mr</c> rows, <c>kc</c> steps of <c>mr</c> values (A[r0 + r, p] at p·mr + r).
/// Packed B: for each panel of <c>nr</c> columns, <c>kc</c> steps of <c>nr</c> values (B[p, j0 + j] at p·nr + j).
/// </remarks>
internal static unsafe class GemmPacking
{
    /// <summary>Packs the mc×kc block of op(A) whose top-left element is at <paramref name="a"/>.
    /// op(A)[i, p] is a[i·lda + p], or a[p·lda + i] when <paramref name="trans"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(float* a, nint lda, bool trans, int mc, int kc, int mr, float* dst)
    {
        for (int r0 = 0; r0 < mc; r0 += mr)
        {
            int rows = Math.Min(mr, mc - r0);
            float* panel = dst + (nint)r0 * kc;
            if (trans) CopyRows(a + r0, lda, kc, rows, mr, panel);
            else Transpose(a + r0 * lda, lda, rows, kc, mr, panel);
        }
    }

    /// <summary>Packs the kc×nc block of op(B) whose top-left element is at <paramref name="b"/>.
    /// op(B)[p, j] is b[p·ldb + j], or b[j·ldb + p] when <paramref name="trans"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* b, nint ldb, bool trans, int kc, int nc, int nr, float* dst)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            float* panel = dst + (nint)j0 * kc;
            if (trans) Transpose(b + j0 * ldb, ldb, cols, kc, nr, panel);
            else CopyRows(b + j0, ldb, kc, cols, nr, panel);
        }
    }

    /// <summary>dst[p·width + j] = src[p·ld + j] for j &lt; count, 0 for count ≤ j &lt; width (p &lt; steps).</summary>
    private static void CopyRows(float* src, nint ld, int steps, int count, int width, float* dst)
    {
        nint bytes = count * sizeof(float);
        for (int p = 0; p < steps; p++)
        {
            float* d = dst + (nint)p * width;
            Buffer.MemoryCopy(src + p * ld, d, bytes, bytes);
            for (int j = count; j < width; j++) d[j] = 0;
        }
    }

    /// <summary>dst[p·width + r] = src[r·ld + p] for r &lt; count, 0 for count ≤ r &lt; width (p &lt; steps).</summary>
    private static void Transpose(float* src, nint ld, int count, int steps, int width, float* dst)
    {
        for (int r = 0; r < count; r++)
        {
            float* s = src + r * ld;
            float* d = dst + r;
            for (int p = 0; p < steps; p++) d[(nint)p * width] = s[p];
        }
        for (int r = count; r < width; r++)
        {
            float* d = dst + r;
            for (int p = 0; p < steps; p++) d[(nint)p * width] = 0;
        }
    }
}
