using System.Runtime.CompilerServices;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The GotoBLAS/BLIS loop nest around a micro-kernel, on one thread: for each NC column block of B and each KC
/// depth block, pack B; for each MC row block, pack A; then sweep NR×MR register tiles with the micro-kernel.
/// An untransposed B is read in place when few row tiles reuse it (<see cref="InPlaceMaxRows"/>; only a ragged last
/// panel is packed), and either operand may come packed whole (<see cref="GemmPrepacked"/>).
/// </summary>
/// <remarks>
/// Goto &amp; van de Geijn, "Anatomy of High-Performance Matrix Multiplication", ACM TOMS 2008
/// (https://doi.org/10.1145/1356052.1356053). Depth blocks are balanced (k = 257 gives 129 + 128, not 256 + 1).
/// Ragged edge tiles are computed into a scratch tile and then written into C.
/// </remarks>
internal static unsafe class GemmDriver<TKernel> where TKernel : struct, IGemmMicroKernel
{
    /// <summary>C[m,n] (+)= op(A)·op(B) with op(A)[i,p] = transA ? a[p·lda + i] : a[i·lda + p], likewise B; then,
    /// when <paramref name="epilogue"/> is active, each finished tile of C gets it, row i as row <paramref name="firstRow"/> + i.
    /// An operand given in <paramref name="prepacked"/> is read from there and not packed (<paramref name="a"/> or
    /// <paramref name="b"/> is then unused).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* c, nint ldc,
        int m, int n, int k, bool accumulate, in ConvEpilogue epilogue = default, int firstRow = 0, in GemmPrepacked prepacked = default)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int kcMax = DepthBlock(k);
        int ncMax = Math.Min(RoundUp(n, nr), TKernel.NC);
        int mcMax = Math.Min(RoundUp(m, mr), TKernel.MC);
        bool inPlaceB = prepacked.B == null && !transB && ReadsBInPlace(m);
        float* packedB = prepacked.B == null ? GemmBuffers.B(kcMax * (inPlaceB ? nr : ncMax)) : null;
        float* packedA = prepacked.A == null ? GemmBuffers.A(kcMax * mcMax) : null;
        float* tile = stackalloc float[mr * nr];
        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                bool overwrite = !accumulate && pc == 0;
                bool finish = epilogue.IsActive && pc + kc == k;
                // in place, B's whole panels are read where they are and only a ragged last one is packed
                int inPlace = inPlaceB ? nc / nr * nr : 0;
                float* blockB = packedB;
                if (prepacked.B != null) blockB = prepacked.BlockB(pc, jc, kc);
                else if (!inPlaceB) GemmPacking.PackB(transB ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, transB, kc, nc, nr, packedB);
                else if (inPlace < nc) GemmPacking.PackB(b + pc * ldb + jc + inPlace, ldb, false, kc, nc - inPlace, nr, packedB);
                for (int ic = 0; ic < m; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic);
                    float* blockA = packedA;
                    if (prepacked.A != null) blockA = prepacked.BlockA(pc, ic, kc);
                    else GemmPacking.PackA(transA ? a + pc * lda + ic : a + ic * lda + pc, lda, transA, mc, kc, mr, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        bool unpacked = jr < inPlace;
                        float* panelB = unpacked ? b + pc * ldb + jc + jr : blockB + (nint)(jr - inPlace) * kc;
                        nint bStep = unpacked ? ldb : nr;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* panelA = blockA + (nint)ir * kc;
                            float* target = c + (ic + ir) * ldc + jc + jr;
                            if (TKernel.RowsWritten(rows) == rows && (cols == nr || TKernel.MasksColumns))
                            {
                                // the tile is written in place; a kernel that can applies the epilogue in registers
                                if (finish && TKernel.FusesEpilogue)
                                {
                                    TKernel.RunFinal(kc, panelA, panelB, bStep, target, ldc, overwrite, rows, cols, epilogue, firstRow + ic + ir);
                                    continue;
                                }
                                TKernel.RunRows(kc, panelA, panelB, bStep, target, ldc, overwrite, rows, cols);
                            }
                            else
                            {
                                TKernel.RunRows(kc, panelA, panelB, bStep, tile, nr, overwrite: true, rows, nr);
                                WriteTile(tile, nr, target, ldc, rows, cols, overwrite);
                            }
                            if (finish) epilogue.Apply(target, ldc, firstRow + ic + ir, rows, cols);
                        }
                    }
                }
            }
        }
    }

    /// <summary>The most rows (of this thread's part of C) for which an untransposed B is read in place.</summary>
    /// <remarks>B's rows are contiguous, so the micro-kernel can load each step's NR values straight from B (row
    /// stride ldb) instead of from a packed copy; packing pays only when many row tiles reuse the copy. Measured
    /// (Zen 5, one thread, thread-CPU GFLOP/s, two alternating rounds on a loaded machine): in place was faster
    /// on every convolution-sized product tried up to m = 384 — 16×12544×32 74 → 100, 16×3025×64 80 → 104–119,
    /// 24×3136×144 91–97 → 112, 48×3136×144 100–103 → 113–121, 144×3136×144 108 → 111, 384×3136×384 102–105 → 106 —
    /// and within noise at 1000×169×512, but slower at 1024³ (108 → 101–104), where kc = 512 rows of B far apart
    /// are reread by 86 row tiles.</remarks>
    internal const int InPlaceMaxRows = 384;

    private static bool ReadsBInPlace(int m) => m <= InPlaceMaxRows;

    /// <summary>The depth of the driver's depth blocks for depth k: k split into ⌈k/KC⌉ balanced blocks (the last
    /// may be shorter).</summary>
    public static int DepthBlock(int k)
    {
        int depthBlocks = Math.Max(1, (k + TKernel.KC - 1) / TKernel.KC);
        return (k + depthBlocks - 1) / depthBlocks;
    }

    /// <summary>Packs row panels [<paramref name="firstPanel"/>, <paramref name="lastPanel"/>) (MR rows each) of the
    /// m×k matrix op(A) (a[i·k + p], or a[p·m + i] when <paramref name="transA"/>) for every depth block, into the
    /// whole-matrix layout of <see cref="GemmPrepacked"/>: depth block pc at <paramref name="dst"/> + pc·RoundUp(m, MR),
    /// row panel r within it at r·kc.</summary>
    public static void PackPanels(float* a, int m, int k, bool transA, int firstPanel, int lastPanel, float* dst)
    {
        int mr = TKernel.MR, kcMax = DepthBlock(k);
        nint lda = transA ? m : k, paddedRows = RoundUp(m, mr);
        int r0 = firstPanel * mr, rows = Math.Min(m, lastPanel * mr) - r0;
        if (rows <= 0) return;
        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            GemmPacking.PackA(transA ? a + pc * lda + r0 : a + r0 * lda + pc, lda, transA, rows, kc, mr, dst + pc * paddedRows + (nint)r0 * kc);
        }
    }

    private static void WriteTile(float* tile, int nr, float* c, nint ldc, int rows, int cols, bool overwrite)
    {
        for (int r = 0; r < rows; r++)
        {
            float* source = tile + r * nr;
            float* row = c + r * ldc;
            if (overwrite) for (int j = 0; j < cols; j++) row[j] = source[j];
            else for (int j = 0; j < cols; j++) row[j] += source[j];
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
