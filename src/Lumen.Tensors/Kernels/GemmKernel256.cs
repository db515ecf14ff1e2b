using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// 6×16 micro-kernel on 256-bit vectors (AVX2 + FMA): 12 accumulators, 2 B loads and 1 broadcast of A per
/// step fill 15 of the 16 ymm registers (the classic Haswell/Zen register budget).
/// </summary>
/// <remarks>Ragged tiles are computed in place: 2- and 4-row kernels for the last rows, AVX masked loads and stores
/// for the last columns; the epilogue (<see cref="ConvEpilogue"/>: bias, clamp or leaky rectifier, a watched clamp's
/// ties as one bit per row, as <see cref="GemmKernel512"/> does) is applied in registers before each row is stored
/// instead of in a second pass over the tile. Each element is the same FMAs in the same order as before, then the
/// same epilogue operations: bitwise the values of the scratch-tile and second-pass path.
/// Blocking measured on Zen 3 (32 KiB L1d, 512 KiB L2): KC = 512 beat 256 and 384 by 2–4 % at n ≥ 1024
/// (fewer C read-modify-writes per FMA; the 32 KiB B micro-panel streams from L2 fast enough);
/// MC·KC·4 = 288 KiB of packed A stays in L2, KC·NC·4 = 6 MiB of packed B in L3.</remarks>
internal readonly unsafe struct GemmKernel256 : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int MC => 144;
    public static int KC => 512;
    public static int NC => 3072;

    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool overwrite) => Run6<TiesUnwatched>(kc, a, b, c, ldc, overwrite, NR, default);

    /// <inheritdoc/>
    public static bool MasksColumns => true;

    /// <inheritdoc/>
    public static int RowsWritten(int rows) => rows <= 2 ? 2 : rows <= 4 ? 4 : MR;

    /// <inheritdoc/>
    public static void RunRows(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int rows, int cols)
        => RunFinal(kc, a, b, c, ldc, overwrite, rows, cols, default, 0);

    /// <inheritdoc/>
    public static bool FusesEpilogue => true;

    /// <summary>As <see cref="IGemmMicroKernel.RunFinal"/> (the same dispatch as <see cref="GemmKernel512.RunFinal"/>:
    /// a residual in a pass over the stored tile while it is in L1, a watched clamp in kernels of their own).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunFinal(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int rows, int cols, in ConvEpilogue epilogue, int row0)
    {
        if (epilogue.HasResidual)
        {
            RunRows(kc, a, b, c, ldc, overwrite, rows, cols);
            epilogue.Apply(c, ldc, row0, rows, cols);
            return;
        }
        if (epilogue.WatchesTies)
        {
            uint tied = rows <= 2 ? Run2<TiesWatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0)
                : rows <= 4 ? Run4<TiesWatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0)
                : Run6<TiesWatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0);
            if (tied != 0) epilogue.ReportRows(row0, tied & ((1u << rows) - 1));
            return;
        }
        if (rows <= 2) Run2<TiesUnwatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0);
        else if (rows <= 4) Run4<TiesUnwatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0);
        else Run6<TiesUnwatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0);
    }

    /// <summary>The full 6-row tile, storing its first <paramref name="cols"/> columns; returns the rows in which a
    /// watched clamp met a bound, bit r for row r (0 unless <typeparamref name="TTies"/> is <see cref="TiesWatched"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Run6<TTies>(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int cols, in ConvEpilogue epilogue, int row0 = 0)
        where TTies : struct, ITieWatch
    {
        PrefetchTile(c, ldc);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadAligned(b);                    // B[p, 0..8]
            var b1 = Vector256.LoadAligned(b + 8);                // B[p, 8..16]
            var ai = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(ai, b1, c51);
            a += 6;
            b += 16;
        }
        uint tied = 0;
        Store<TTies>(c, c00, c01, overwrite, cols, epilogue, row0, 0, ref tied);
        Store<TTies>(c + ldc, c10, c11, overwrite, cols, epilogue, row0 + 1, 1, ref tied);
        Store<TTies>(c + 2 * ldc, c20, c21, overwrite, cols, epilogue, row0 + 2, 2, ref tied);
        Store<TTies>(c + 3 * ldc, c30, c31, overwrite, cols, epilogue, row0 + 3, 3, ref tied);
        Store<TTies>(c + 4 * ldc, c40, c41, overwrite, cols, epilogue, row0 + 4, 4, ref tied);
        Store<TTies>(c + 5 * ldc, c50, c51, overwrite, cols, epilogue, row0 + 5, 5, ref tied);
        return tied;
    }

    /// <summary>The first 4 rows of a tile (the A panel is still 6 rows wide); returns as <see cref="Run6{TTies}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Run4<TTies>(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int cols, in ConvEpilogue epilogue, int row0 = 0)
        where TTies : struct, ITieWatch
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadAligned(b);
            var b1 = Vector256.LoadAligned(b + 8);
            var ai = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            a += 6;
            b += 16;
        }
        uint tied = 0;
        Store<TTies>(c, c00, c01, overwrite, cols, epilogue, row0, 0, ref tied);
        Store<TTies>(c + ldc, c10, c11, overwrite, cols, epilogue, row0 + 1, 1, ref tied);
        Store<TTies>(c + 2 * ldc, c20, c21, overwrite, cols, epilogue, row0 + 2, 2, ref tied);
        Store<TTies>(c + 3 * ldc, c30, c31, overwrite, cols, epilogue, row0 + 3, 3, ref tied);
        return tied;
    }

    /// <summary>The first 2 rows of a tile (4 accumulators: two steps in flight to cover the FMA latency); returns as
    /// <see cref="Run6{TTies}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Run2<TTies>(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int cols, in ConvEpilogue epilogue, int row0 = 0)
        where TTies : struct, ITieWatch
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadAligned(b);
            var b1 = Vector256.LoadAligned(b + 8);
            var ai = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            a += 6;
            b += 16;
        }
        uint tied = 0;
        Store<TTies>(c, c00, c01, overwrite, cols, epilogue, row0, 0, ref tied);
        Store<TTies>(c + ldc, c10, c11, overwrite, cols, epilogue, row0 + 1, 1, ref tied);
        return tied;
    }

    /// <summary>Starts loading the C tile into L1 so the final read-modify-write does not stall.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, nint ldc)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < 6; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 15);
        }
    }

    /// <summary>Writes (or adds) the first <paramref name="cols"/> of a tile row's 16 values, finished by the
    /// epilogue for row <paramref name="index"/> when it is active; columns past them are neither read nor written
    /// (AVX masked loads and stores). A watched clamp sets bit <paramref name="bit"/> of <paramref name="tied"/> when a
    /// stored value met a bound.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TTies>(float* row, Vector256<float> left, Vector256<float> right, bool overwrite, int cols, in ConvEpilogue epilogue, int index, int bit, ref uint tied)
        where TTies : struct, ITieWatch
    {
        if (cols >= NR)
        {
            if (!overwrite)
            {
                left += Vector256.Load(row);
                right += Vector256.Load(row + 8);
            }
            if (typeof(TTies) == typeof(TiesWatched))
            {
                if (epilogue.FinishWatched256(ref left, ref right, index, Vector256<float>.AllBitsSet, Vector256<float>.AllBitsSet)) tied |= 1u << bit;
            }
            else if (epilogue.FinishesValues) epilogue.Finish256(ref left, ref right, index);
            left.Store(row);
            right.Store(row + 8);
            return;
        }
        var lanes = Vector256<int>.Indices;
        var first = Vector256.LessThan(lanes, Vector256.Create(cols)).AsSingle();
        var second = Vector256.LessThan(lanes, Vector256.Create(cols - 8)).AsSingle();
        if (!overwrite)
        {
            left += Avx.MaskLoad(row, first);
            right += Avx.MaskLoad(row + 8, second);
        }
        if (typeof(TTies) == typeof(TiesWatched))
        {
            if (epilogue.FinishWatched256(ref left, ref right, index, first, second)) tied |= 1u << bit;
        }
        else if (epilogue.FinishesValues) epilogue.Finish256(ref left, ref right, index);
        Avx.MaskStore(row, first, left);
        Avx.MaskStore(row + 8, second, right);
    }
}
