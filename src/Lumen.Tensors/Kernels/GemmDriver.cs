using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The GotoBLAS/BLIS loop nest around a micro-kernel, on one thread: for each NC column block of B and each KC
/// depth block, pack B; for each MC row block, pack A; then, for each group of B panels that spans 512 KiB of packed B
/// (all of it when the depth is small) and each MR-row panel of A, sweep the group's MR×NR register tiles left to
/// right with the micro-kernel.
/// </summary>
/// <remarks>
/// Goto &amp; van de Geijn, "Anatomy of High-Performance Matrix Multiplication", ACM TOMS 2008
/// (https://doi.org/10.1145/1356052.1356053). Depth blocks are balanced (k = 257 gives 129 + 128, not 256 + 1).
/// Ragged edge tiles are computed into a scratch tile and then written into C. Rows outside, columns inside: each
/// row panel of C is written left to right as 12 streams the hardware prefetcher follows, while the group of B
/// panels is re-read from L2 (sweeping every row panel for each B panel instead jumped across all MC rows of C for
/// every 32 columns). Same tiles, same per-element sums: bitwise the earlier order's result; on MobileNetV2's
/// 1×1 convolutions (k = 16–320) +0–7 % GFLOP/s, largest at k = 16, n = 12544.
/// </remarks>
internal static unsafe class GemmDriver<TKernel> where TKernel : struct, IGemmMicroKernel
{
    /// <summary>C[m,n] (+)= op(A)·op(B) with op(A)[i,p] = transA ? a[p·lda + i] : a[i·lda + p], likewise B; then,
    /// when <paramref name="epilogue"/> is active, each finished tile of C gets it, row i as row <paramref name="firstRow"/> + i.
    /// An operand given in <paramref name="prepacked"/> is read from there and not packed (<paramref name="a"/> or
    /// <paramref name="b"/> is then unused). When <paramref name="planes"/> is active, B (untransposed) and C are
    /// batches of planes (<see cref="GemmPlanes"/>): <paramref name="b"/> and <paramref name="c"/> point at image 0,
    /// column 0 of the whole product, and the call's columns start at its <see cref="GemmPlanes.FirstCol"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* c, nint ldc,
        int m, int n, int k, bool accumulate, in ConvEpilogue epilogue = default, int firstRow = 0, in GemmPrepacked prepacked = default,
        in GemmPlanes planes = default)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int kcMax = DepthBlock(k);
        // a batch of planes in column blocks of one column group (B packed from the planes stays in L2 until used;
        // the caller passes A packed, so more blocks do not pack A again), else the kernel's NC
        int ncMax = planes.IsActive ? ColumnGroup(kcMax, n) : Math.Min(RoundUp(n, nr), TKernel.NC);
        int mcMax = Math.Min(RoundUp(m, mr), TKernel.MC);
        float* packedB = prepacked.B == null ? GemmBuffers.B(kcMax * ncMax) : null;
        float* packedA = prepacked.A == null ? GemmBuffers.A(kcMax * mcMax) : null;
        float* tile = stackalloc float[mr * nr];
        bool batched = planes.IsActive;
        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                bool overwrite = !accumulate && pc == 0;
                bool finish = epilogue.IsActive && pc + kc == k;
                float* blockB = packedB;
                if (prepacked.B != null) blockB = prepacked.BlockB(pc, jc, kc);
                else if (planes.IsActive) GemmPacking.PackBPlanes(b + pc * ldb, ldb, planes.ImageStrideB, planes.Plane, planes.FirstCol + jc, kc, nc, nr, packedB);
                else GemmPacking.PackB(transB ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, transB, kc, nc, nr, packedB);
                for (int ic = 0; ic < m; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic);
                    float* blockA = packedA;
                    if (prepacked.A != null) blockA = prepacked.BlockA(pc, ic, kc);
                    else GemmPacking.PackA(transA ? a + pc * lda + ic : a + ic * lda + pc, lda, transA, mc, kc, mr, packedA);
                    int group = ColumnGroup(kc, nc);
                    for (int jg = 0; jg < nc; jg += group)
                    for (int ir = 0, groupEnd = Math.Min(nc, jg + group); ir < mc; ir += mr)
                    {
                        int rows = Math.Min(mr, mc - ir);
                        float* panelA = blockA + (nint)ir * kc;
                        for (int jr = jg; jr < groupEnd; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            float* panelB = blockB + (nint)jr * kc;
                            float* target = c + (ic + ir) * ldc + jc + jr;
                            int width = cols;                    // columns contiguous from target: fewer across images
                            if (batched) target = InPlanes(c, ldc, ic + ir, jc + jr, cols, planes, ref width);
                            if (width == cols && TKernel.RowsWritten(rows) == rows && (cols == nr || TKernel.MasksColumns))
                            {
                                // the tile is written in place; a kernel that can applies the epilogue in registers
                                if (finish && TKernel.FusesEpilogue)
                                {
                                    TKernel.RunFinal(kc, panelA, panelB, target, ldc, overwrite, rows, cols, epilogue, firstRow + ic + ir);
                                    continue;
                                }
                                TKernel.RunRows(kc, panelA, panelB, target, ldc, overwrite, rows, cols);
                            }
                            else
                            {
                                // a ragged tile, or one across images, through scratch: written piece by piece; where
                                // the scratch holds C's final values (C overwritten, no residual beside C) a kernel that
                                // can finishes them in registers, else each piece gets the epilogue in C
                                bool finished = finish && overwrite && TKernel.FusesEpilogue && TKernel.MasksColumns && !epilogue.HasResidual && TKernel.RowsWritten(rows) == rows;
                                if (finished) TKernel.RunFinal(kc, panelA, panelB, tile, nr, overwrite: true, rows, cols, epilogue, firstRow + ic + ir);
                                else TKernel.RunRows(kc, panelA, panelB, tile, nr, overwrite: true, rows, nr);
                                for (int done = 0; ;)
                                {
                                    WriteTile(tile + done, nr, target, ldc, rows, width, overwrite);
                                    if (finish && !finished) epilogue.Apply(target, ldc, firstRow + ic + ir, rows, width);
                                    if ((done += width) == cols) break;
                                    width = cols - done;
                                    target = InPlanes(c, ldc, ic + ir, jc + jr + done, width, planes, ref width);
                                }
                                continue;
                            }
                            if (finish) epilogue.Apply(target, ldc, firstRow + ic + ir, rows, cols);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Bytes of packed B that one column group spans (<see cref="ColumnGroup"/>): half of a 1 MiB L2,
    /// leaving room for the block of A.</summary>
    private const int GroupBytes = 512 * 1024;

    /// <summary>Columns of a group: as many whole NR panels of the kc-deep packed B block as fit in
    /// <see cref="GroupBytes"/> (at least one panel, at most the block's nc columns).</summary>
    private static int ColumnGroup(int kc, int nc)
    {
        int nr = TKernel.NR;
        return Math.Clamp(GroupBytes / (kc * sizeof(float)) / nr * nr, nr, RoundUp(nc, nr));
    }

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

    /// <summary>Where C[row, col] of the call is in a batch of planes (in its image); <paramref name="width"/>: how
    /// many of the <paramref name="cols"/> columns from there on stay in that image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* InPlanes(float* c, nint ldc, int row, int col, int cols, in GemmPlanes planes, ref int width)
    {
        var (offset, remaining) = planes.Column(col);
        width = Math.Min(cols, remaining);
        return c + offset + row * ldc;
    }

    /// <summary>C[r, j] = (or +=) tile[r, j] for r &lt; rows, j &lt; cols: 8 lanes at a time, then one by one (a tile
    /// across images is written as pieces of any width). Compiled optimized from the first call: an IG profile on
    /// MobileNetV2 found it in tier-0 and instrumented code (with <c>Vector256.Store</c> not inlined) through the
    /// first four of five calls, about 1 % of the run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteTile(float* tile, int nr, float* c, nint ldc, int rows, int cols, bool overwrite)
    {
        int wide = Vector256.IsHardwareAccelerated ? cols & ~7 : 0;
        for (int r = 0; r < rows; r++)
        {
            float* source = tile + r * nr;
            float* row = c + r * ldc;
            int j = 0;
            if (overwrite)
            {
                for (; j < wide; j += 8) Vector256.Store(Vector256.Load(source + j), row + j);
                for (; j < cols; j++) row[j] = source[j];
            }
            else
            {
                for (; j < wide; j += 8) Vector256.Store(Vector256.Load(row + j) + Vector256.Load(source + j), row + j);
                for (; j < cols; j++) row[j] += source[j];
            }
        }
    }
}
