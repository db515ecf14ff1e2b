using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        if (!trans && Vector128.IsHardwareAccelerated && nr % 4 == 0)
        {
            PackRowsAcrossPanels(b, ldb, kc, nc, nr, dst);
            return;
        }
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            float* panel = dst + (nint)j0 * kc;
            if (trans) Transpose(b + j0 * ldb, ldb, cols, kc, nr, panel);
            else CopyRows(b + j0, ldb, kc, cols, nr, panel);
        }
    }

    /// <summary>Packs the kc×nc block of op(B) from column <paramref name="firstCol"/> on, where op(B) is a batch of
    /// planes laid side by side (<see cref="GemmPlanes"/>): op(B)[p, j] = b[(j / P)·imageStride + p·ld + j % P] with
    /// P = <paramref name="plane"/>, e.g. the [N, K, P] input of a pointwise convolution read as [K, N·P]. The same
    /// panels <see cref="PackB"/> writes from that matrix gathered; each run of columns inside one plane and one panel
    /// is copied down the kc rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBPlanes(float* b, nint ld, nint imageStride, int plane, int firstCol, int kc, int nc, int nr, float* dst)
    {
        for (int j = 0; j < nc;)
        {
            int column = firstCol + j, image = column / plane, offset = column - image * plane;
            int panel = j / nr, inPanel = j - panel * nr;
            int run = Math.Min(Math.Min(nc - j, plane - offset), nr - inPanel);
            CopyRun(b + image * imageStride + offset, ld, kc, run, dst + (nint)panel * nr * kc + inPanel, nr);
            j += run;
        }
        int tail = nc % nr;
        if (tail != 0)
        {
            float* last = dst + (nint)(nc / nr) * nr * kc;
            for (int p = 0; p < kc; p++)
                for (int j = tail; j < nr; j++) last[(nint)p * nr + j] = 0;
        }
    }

    /// <summary>Packs one row of B = mask ⊙ G for <see cref="Gemm.MultiplyPackedB"/>: B[j] = lo ≤ x[j] ≤ hi ? g[j] : 0
    /// for the <paramref name="n"/> columns (<see cref="GradientMasks.Clamp"/>'s values: a NaN x masks, a masked value
    /// is +0), written to the row's place in each panel — <paramref name="dst"/> in the first, each next panel
    /// nr·<paramref name="kc"/> floats on — with the ragged last panel's columns past n zero, as <see cref="PackB"/>
    /// packs the masked matrix. E.g. a ReLU6's gradient masked by its output y as the pointwise convolution before it
    /// packs it for its input gradient, with no masked copy of g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRowMasked(float* g, float* x, float lo, float hi, int n, int nr, int kc, float* dst)
    {
        int j0 = 0;
        nint step = (nint)nr * kc;
        if (Avx512F.IsSupported && nr % 16 == 0)
        {
            var vlo = Vector512.Create(lo);
            var vhi = Vector512.Create(hi);
            for (; j0 < n; j0 += nr, dst += step)
            {
                int cols = Math.Min(nr, n - j0);
                for (int j = 0; j < nr; j += 16)
                {
                    Vector512<float> vg, vx;
                    if (j + 16 <= cols) (vg, vx) = (Vector512.Load(g + j0 + j), Vector512.Load(x + j0 + j));
                    else
                    {
                        var lanes = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols - j)).AsSingle();
                        vg = Avx512F.MaskLoad(g + j0 + j, lanes, Vector512<float>.Zero);            // zero past n: padding
                        vx = Avx512F.MaskLoad(x + j0 + j, lanes, Vector512<float>.Zero);
                    }
                    var inside = Vector512.GreaterThanOrEqual(vx, vlo) & Vector512.LessThanOrEqual(vx, vhi);
                    Vector512.Store(vg & inside, dst + j);
                }
            }
            return;
        }
        if (Vector256.IsHardwareAccelerated && nr % 8 == 0)
        {
            var vlo = Vector256.Create(lo);
            var vhi = Vector256.Create(hi);
            for (; j0 + nr <= n; j0 += nr, dst += step)
                for (int j = 0; j < nr; j += 8)
                {
                    var vx = Vector256.Load(x + j0 + j);
                    var inside = Vector256.GreaterThanOrEqual(vx, vlo) & Vector256.LessThanOrEqual(vx, vhi);
                    Vector256.Store(Vector256.Load(g + j0 + j) & inside, dst + j);
                }
        }
        for (; j0 < n; j0 += nr, dst += step)
            for (int j = 0; j < nr; j++)
            {
                int column = j0 + j;
                dst[j] = column < n && x[column] >= lo && x[column] <= hi ? g[column] : 0f;
            }
    }

    /// <summary>dst[p·width + j] = src[p·ld + j] for j &lt; count (p &lt; steps); the rest of each row untouched. Runs of
    /// up to 32 (a 32-column panel's) go through AVX-512 masked loads and stores, two vectors a row; longer ones 8,
    /// then 4 lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRun(float* src, nint ld, int steps, int count, float* dst, int width)
    {
        if (count <= 32 && Avx512F.IsSupported)
        {
            var lanes = Vector512<int>.Indices;
            var first = Vector512.LessThan(lanes, Vector512.Create(count)).AsSingle();
            var second = Vector512.LessThan(lanes, Vector512.Create(count - 16)).AsSingle();
            if (count <= 16)
                for (int p = 0; p < steps; p++, src += ld, dst += width)
                    Avx512F.MaskStore(dst, first, Avx512F.MaskLoad(src, first, Vector512<float>.Zero));
            else
                for (int p = 0; p < steps; p++, src += ld, dst += width)
                {
                    Vector512.Store(Vector512.Load(src), dst);
                    Avx512F.MaskStore(dst + 16, second, Avx512F.MaskLoad(src + 16, second, Vector512<float>.Zero));
                }
            return;
        }
        int wide = Vector256.IsHardwareAccelerated ? count & ~7 : 0;
        int narrow = Vector128.IsHardwareAccelerated ? count & ~3 : 0;
        for (int p = 0; p < steps; p++, src += ld, dst += width)
        {
            int j = 0;
            for (; j < wide; j += 8) Vector256.Store(Vector256.Load(src + j), dst + j);
            for (; j < narrow; j += 4) Vector128.Store(Vector128.Load(src + j), dst + j);
            for (; j < count; j++) dst[j] = src[j];
        }
    }

    /// <summary>Packs untransposed B reading each source row once from start to end (one sequential stream instead of kc strided ones per panel), scattering its
    /// nr-wide pieces (nr a multiple of 4) to their panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRowsAcrossPanels(float* b, nint ldb, int kc, int nc, int nr, float* dst)
    {
        int whole = nc / nr * nr;
        int wide = nr & ~7;
        for (int p = 0; p < kc; p++)
        {
            float* s = b + p * ldb;
            float* d = dst + (nint)p * nr;
            for (int j0 = 0; j0 < whole; j0 += nr, d += (nint)nr * kc)
            {
                int j = 0;
                for (; j < wide; j += 8) Vector256.Store(Vector256.Load(s + j0 + j), d + j);
                for (; j < nr; j += 4) Vector128.Store(Vector128.Load(s + j0 + j), d + j);
            }
        }
        if (whole < nc) CopyRows(b + whole, ldb, kc, nc - whole, nr, dst + (nint)whole * kc);
    }

    /// <summary>dst[p·width + j] = src[p·ld + j] for j &lt; count, 0 for count ≤ j &lt; width (p &lt; steps): the run
    /// copy (<see cref="CopyRun"/>), then the padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRows(float* src, nint ld, int steps, int count, int width, float* dst)
    {
        CopyRun(src, ld, steps, count, dst, width);
        if (count < width)
            for (int p = 0; p < steps; p++)
                for (float* d = dst + (nint)p * width, end = d + width, j = d + count; j < end; j++) *j = 0;
    }

    /// <summary>dst[p·width + r] = src[r·ld + p] for r &lt; count, 0 for count ≤ r &lt; width (p &lt; steps).
    /// Whole 8×8 blocks (and a panel of exactly six rows) go through registers (<see cref="Transpose8x8"/>) when AVX
    /// is available, then whole 4×8 blocks (<see cref="Transpose4x8"/>: the last four rows of a 12-row panel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(float* src, nint ld, int count, int steps, int width, float* dst)
    {
        int r = 0;
        if (Avx.IsSupported && width == 6 && count == 6)
        {
            // Six rows (the 6×16 kernel's A panel): each transposed column is stored 8 wide, in ascending order, so
            // its two extra lanes land on the next column's start and are overwritten by it. The last step is always
            // left to the scalar tail, so nothing is written past the panel (threads may pack neighbouring panels).
            int blockSteps = (steps - 1) & ~7;
            for (int p = 0; p < blockSteps; p += 8) Transpose8x8(src + p, ld, dst + (nint)p * width, width, rows: 6);
            TransposeScalar(src, ld, 6, blockSteps, steps, width, dst);
            return;
        }
        if (Avx.IsSupported)
        {
            int blockSteps = steps & ~7;
            for (; r + 8 <= count; r += 8)
            {
                for (int p = 0; p < blockSteps; p += 8) Transpose8x8(src + r * ld + p, ld, dst + (nint)p * width + r, width, rows: 8);
                TransposeScalar(src + r * ld, ld, 8, blockSteps, steps, width, dst + r);
            }
            for (; r + 4 <= count; r += 4)
            {
                for (int p = 0; p < blockSteps; p += 8) Transpose4x8(src + r * ld + p, ld, dst + (nint)p * width + r, width);
                TransposeScalar(src + r * ld, ld, 4, blockSteps, steps, width, dst + r);
            }
        }
        TransposeScalar(src + r * ld, ld, count - r, 0, steps, width, dst + r);
        for (r = count; r < width; r++)
        {
            float* d = dst + r;
            for (int p = 0; p < steps; p++) d[(nint)p * width] = 0;
        }
    }

    /// <summary>dst[p·width + r] = src[r·ld + p] for r &lt; rows and first ≤ p &lt; steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeScalar(float* src, nint ld, int rows, int first, int steps, int width, float* dst)
    {
        for (int r = 0; r < rows; r++)
        {
            float* s = src + r * ld;
            float* d = dst + r;
            for (int p = first; p < steps; p++) d[(nint)p * width] = s[p];
        }
    }

    /// <summary>Writes the transpose of the 4×8 block at <paramref name="src"/> (row stride <paramref name="ld"/>) as
    /// eight 4-float rows to <paramref name="dst"/> (row stride <paramref name="ldd"/>): unpack pairs, shuffle quads,
    /// store each 128-bit half (the last four rows of a 12-row A panel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x8(float* src, nint ld, float* dst, nint ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + 2 * ld);
        var r3 = Avx.LoadVector256(src + 3 * ld);
        var t0 = Avx.UnpackLow(r0, r1);                     // r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5]
        var t1 = Avx.UnpackHigh(r0, r1);                    // r0[2] r1[2] r0[3] r1[3] | r0[6] r1[6] r0[7] r1[7]
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var q0 = Avx.Shuffle(t0, t2, 0x44);                 // column 0 | column 4
        var q1 = Avx.Shuffle(t0, t2, 0xEE);                 // column 1 | column 5
        var q2 = Avx.Shuffle(t1, t3, 0x44);                 // column 2 | column 6
        var q3 = Avx.Shuffle(t1, t3, 0xEE);                 // column 3 | column 7
        Sse.Store(dst, q0.GetLower());
        Sse.Store(dst + ldd, q1.GetLower());
        Sse.Store(dst + 2 * ldd, q2.GetLower());
        Sse.Store(dst + 3 * ldd, q3.GetLower());
        Sse.Store(dst + 4 * ldd, q0.GetUpper());
        Sse.Store(dst + 5 * ldd, q1.GetUpper());
        Sse.Store(dst + 6 * ldd, q2.GetUpper());
        Sse.Store(dst + 7 * ldd, q3.GetUpper());
    }

    /// <summary>Writes the transpose of the 8×8 block at <paramref name="src"/> (row stride <paramref name="ld"/>)
    /// to <paramref name="dst"/> (row stride <paramref name="ldd"/>, rows stored in ascending order): unpack pairs,
    /// shuffle quads, swap 128-bit halves. With <paramref name="rows"/> = 6 only six source rows are read and the
    /// last two lanes of every output row are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, nint ld, float* dst, nint ldd, int rows)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + 2 * ld);
        var r3 = Avx.LoadVector256(src + 3 * ld);
        var r4 = Avx.LoadVector256(src + 4 * ld);
        var r5 = Avx.LoadVector256(src + 5 * ld);
        var r6 = rows == 8 ? Avx.LoadVector256(src + 6 * ld) : Vector256<float>.Zero;
        var r7 = rows == 8 ? Avx.LoadVector256(src + 7 * ld) : Vector256<float>.Zero;
        var t0 = Avx.UnpackLow(r0, r1);                     // r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5]
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var q0 = Avx.Shuffle(t0, t2, 0x44);                 // column 0 of rows 0..3 | column 4
        var q1 = Avx.Shuffle(t0, t2, 0xEE);
        var q2 = Avx.Shuffle(t1, t3, 0x44);
        var q3 = Avx.Shuffle(t1, t3, 0xEE);
        var q4 = Avx.Shuffle(t4, t6, 0x44);
        var q5 = Avx.Shuffle(t4, t6, 0xEE);
        var q6 = Avx.Shuffle(t5, t7, 0x44);
        var q7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(q0, q4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(q1, q5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(q2, q6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(q3, q7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(q0, q4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(q1, q5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(q2, q6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(q3, q7, 0x31));
    }
}
