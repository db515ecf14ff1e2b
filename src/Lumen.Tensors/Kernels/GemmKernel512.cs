using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// 12×32 micro-kernel on 512-bit vectors (AVX-512F): 24 accumulators, 2 B loads and 1 broadcast of A per step,
/// 27 of the 32 zmm registers (the BLIS SkylakeX sgemm shape, transposed to row-major C).
/// </summary>
/// <remarks>Blocking measured on Zen 5 (AMD EPYC, 48 KiB L1d, 1 MiB L2), single thread, best of 15 interleaved rounds
/// (thread CPU time) on a loaded machine: KC = 512 with MC = 144 (MC·KC·4 = 288 KiB of A in L2; the 64 KiB B
/// micro-panel streams from L2) ran 186 and 179 GFLOP/s at n = 1024 and 2048 against 177 and 168 for the earlier
/// 288×256, because C is read and written half as often (one pass per depth block); 96×1024, 144×768 and 192×512
/// measured within noise of it, and at n = 256 and 512 every choice gave 200–204. KC·NC·4 = 6 MiB of packed B stays
/// in L3. Prefetching the C tile at the start hides the read-modify-write's miss: +1–4 % with KC = 256, within noise
/// at KC = 512 (kept: 24 prefetches per 6,000 cycles of FMAs).
/// The loop compiles to 2 aligned loads, 12 <c>vbroadcastss</c> and 24 <c>vfmadd231ps zmm</c> per step with no
/// spills (checked with <c>DOTNET_JitDisasm</c>); alone on packed panels in L1 it runs at about 213 GFLOP/s. A watched
/// clamp (<see cref="ConvEpilogue.WatchesTies"/>) compiles a kernel of its own (<see cref="TiesWatched"/>): each row's ties
/// become a bit of a general register as the row is stored, reported after the last store; its loop has no spills
/// either, and the unwatched kernels' listings are the ones without it (same loop, same 264-byte frame).</remarks>
internal readonly unsafe struct GemmKernel512 : IGemmMicroKernel
{
    public static int MR => 12;
    public static int NR => 32;
    public static int MC => 144;
    public static int KC => 512;
    public static int NC => 3072;

    /// <summary>The least depth at which the tile's C rows are prefetched: below it the loop is too short to hide
    /// the prefetch and the 24 prefetches only take load slots (skipping them measured +1–12 % at k = 16–64).</summary>
    private const int PrefetchDepth = 128;

    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool overwrite) => Run12<TiesUnwatched>(kc, a, b, c, ldc, overwrite, NR, default);

    /// <inheritdoc/>
    public static bool MasksColumns => true;

    /// <summary>The full 12-row tile, storing its first <paramref name="cols"/> columns; returns the rows in which a
    /// watched clamp met a bound, bit r for row r (0 unless <typeparamref name="TTies"/> is <see cref="TiesWatched"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Run12<TTies>(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int cols, in ConvEpilogue epilogue, int row0 = 0)
        where TTies : struct, ITieWatch
    {
        if (kc >= PrefetchDepth) PrefetchTile(c, ldc);
        Vector512<float> c00a = default, c00b = default, c01a = default, c01b = default, c02a = default, c02b = default, c03a = default, c03b = default;
        Vector512<float> c04a = default, c04b = default, c05a = default, c05b = default, c06a = default, c06b = default, c07a = default, c07b = default;
        Vector512<float> c08a = default, c08b = default, c09a = default, c09b = default, c10a = default, c10b = default, c11a = default, c11b = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(b);                    // B[p, 0..16]
            var b1 = Vector512.LoadAligned(b + 16);               // B[p, 16..32]
            var ai = Vector512.Create(a[0]);
            c00a = Vector512.FusedMultiplyAdd(ai, b0, c00a);
            c00b = Vector512.FusedMultiplyAdd(ai, b1, c00b);
            ai = Vector512.Create(a[1]);
            c01a = Vector512.FusedMultiplyAdd(ai, b0, c01a);
            c01b = Vector512.FusedMultiplyAdd(ai, b1, c01b);
            ai = Vector512.Create(a[2]);
            c02a = Vector512.FusedMultiplyAdd(ai, b0, c02a);
            c02b = Vector512.FusedMultiplyAdd(ai, b1, c02b);
            ai = Vector512.Create(a[3]);
            c03a = Vector512.FusedMultiplyAdd(ai, b0, c03a);
            c03b = Vector512.FusedMultiplyAdd(ai, b1, c03b);
            ai = Vector512.Create(a[4]);
            c04a = Vector512.FusedMultiplyAdd(ai, b0, c04a);
            c04b = Vector512.FusedMultiplyAdd(ai, b1, c04b);
            ai = Vector512.Create(a[5]);
            c05a = Vector512.FusedMultiplyAdd(ai, b0, c05a);
            c05b = Vector512.FusedMultiplyAdd(ai, b1, c05b);
            ai = Vector512.Create(a[6]);
            c06a = Vector512.FusedMultiplyAdd(ai, b0, c06a);
            c06b = Vector512.FusedMultiplyAdd(ai, b1, c06b);
            ai = Vector512.Create(a[7]);
            c07a = Vector512.FusedMultiplyAdd(ai, b0, c07a);
            c07b = Vector512.FusedMultiplyAdd(ai, b1, c07b);
            ai = Vector512.Create(a[8]);
            c08a = Vector512.FusedMultiplyAdd(ai, b0, c08a);
            c08b = Vector512.FusedMultiplyAdd(ai, b1, c08b);
            ai = Vector512.Create(a[9]);
            c09a = Vector512.FusedMultiplyAdd(ai, b0, c09a);
            c09b = Vector512.FusedMultiplyAdd(ai, b1, c09b);
            ai = Vector512.Create(a[10]);
            c10a = Vector512.FusedMultiplyAdd(ai, b0, c10a);
            c10b = Vector512.FusedMultiplyAdd(ai, b1, c10b);
            ai = Vector512.Create(a[11]);
            c11a = Vector512.FusedMultiplyAdd(ai, b0, c11a);
            c11b = Vector512.FusedMultiplyAdd(ai, b1, c11b);
            a += 12;
            b += 32;
        }
        uint tied = 0;
        Store<TTies>(c, c00a, c00b, overwrite, cols, epilogue, row0 + 0, 0, ref tied);
        Store<TTies>(c + ldc, c01a, c01b, overwrite, cols, epilogue, row0 + 1, 1, ref tied);
        Store<TTies>(c + 2 * ldc, c02a, c02b, overwrite, cols, epilogue, row0 + 2, 2, ref tied);
        Store<TTies>(c + 3 * ldc, c03a, c03b, overwrite, cols, epilogue, row0 + 3, 3, ref tied);
        Store<TTies>(c + 4 * ldc, c04a, c04b, overwrite, cols, epilogue, row0 + 4, 4, ref tied);
        Store<TTies>(c + 5 * ldc, c05a, c05b, overwrite, cols, epilogue, row0 + 5, 5, ref tied);
        Store<TTies>(c + 6 * ldc, c06a, c06b, overwrite, cols, epilogue, row0 + 6, 6, ref tied);
        Store<TTies>(c + 7 * ldc, c07a, c07b, overwrite, cols, epilogue, row0 + 7, 7, ref tied);
        Store<TTies>(c + 8 * ldc, c08a, c08b, overwrite, cols, epilogue, row0 + 8, 8, ref tied);
        Store<TTies>(c + 9 * ldc, c09a, c09b, overwrite, cols, epilogue, row0 + 9, 9, ref tied);
        Store<TTies>(c + 10 * ldc, c10a, c10b, overwrite, cols, epilogue, row0 + 10, 10, ref tied);
        Store<TTies>(c + 11 * ldc, c11a, c11b, overwrite, cols, epilogue, row0 + 11, 11, ref tied);
        return tied;
    }

    /// <inheritdoc/>
    public static int RowsWritten(int rows) => rows <= 4 ? 4 : rows <= 8 ? 8 : MR;

    /// <inheritdoc/>
    public static void RunRows(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int rows, int cols)
        => RunFinal(kc, a, b, c, ldc, overwrite, rows, cols, default, 0);

    /// <inheritdoc/>
    public static bool FusesEpilogue => true;

    /// <summary>As <see cref="IGemmMicroKernel.RunFinal"/>. Compiled optimized from the first call: it runs once per
    /// tile, and an IG profile on MobileNetV2 found it in tier-0 code, calling the epilogue's property getters, through
    /// most of five calls.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunFinal(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int rows, int cols, in ConvEpilogue epilogue, int row0)
    {
        if (epilogue.HasResidual)
        {
            // a residual is read beside each value: one pass over the tile while it is in L1 (prefetching the
            // residual's rows while the tile is computed changed nothing measurable on MobileNetV2's 144 → 24 at 56²)
            RunRows(kc, a, b, c, ldc, overwrite, rows, cols);
            epilogue.Apply(c, ldc, row0, rows, cols);
            return;
        }
        if (epilogue.WatchesTies)
        {
            // a watched clamp: each row's ties found in registers as it is stored, one bit per row, noted once per tile
            // (a row past `rows`, written by a kernel taller than asked for, is not reported)
            uint tied = rows <= 4 ? Run4<TiesWatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0)
                : rows <= 8 ? Run8<TiesWatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0)
                : cols <= HalfWidth ? Run12Half<TiesWatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0)
                : Run12<TiesWatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0);
            if (tied != 0) epilogue.ReportRows(row0, tied & ((1u << rows) - 1));
            return;
        }
        if (rows <= 4) Run4<TiesUnwatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0);
        else if (rows <= 8) Run8<TiesUnwatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0);
        else if (cols <= HalfWidth) Run12Half<TiesUnwatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0);
        else Run12<TiesUnwatched>(kc, a, b, c, ldc, overwrite, cols, epilogue, row0);
    }

    /// <summary>Columns of a tile that <see cref="Run12Half{TTies}"/> covers: one vector of B.</summary>
    internal const int HalfWidth = 16;

    /// <summary>The full 12 rows of a ragged last tile of at most 16 columns (a product's n mod 32 ≤ 16: 169 = 5·32 + 9
    /// at 13×13): only the left vector of each B step, 12 accumulators instead of 24, so the tile costs half a full
    /// one instead of a full one. Same FMA steps per element as <see cref="Run12{TTies}"/>, so bitwise its values;
    /// returns as it does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Run12Half<TTies>(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int cols, in ConvEpilogue epilogue, int row0 = 0)
        where TTies : struct, ITieWatch
    {
        if (kc >= PrefetchDepth) PrefetchTile(c, ldc);
        var rows = stackalloc Vector512<float>[MR];
        AccumulateHalves(kc, a, b, rows);
        return StoreHalves<TTies>(rows, c, ldc, overwrite, cols, epilogue, row0);
    }

    /// <summary>rows[r] = Σ_p A[r, p] · B[p, 0..16] for the 12 rows of a packed A panel: <see cref="Run12Half{TTies}"/>'s
    /// loop, a leaf of its own. With the stores after it in the same method the JIT kept accumulators on the stack
    /// inside the loop (a store and a load each per step).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateHalves(int kc, float* a, float* b, Vector512<float>* rows)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector512<float> c06 = default, c07 = default, c08 = default, c09 = default, c10 = default, c11 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(b);                    // B[p, 0..16]
            c00 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00);
            c01 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c01);
            c02 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c02);
            c03 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c03);
            c04 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c04);
            c05 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c05);
            c06 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c06);
            c07 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c07);
            c08 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), b0, c08);
            c09 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), b0, c09);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), b0, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), b0, c11);
            a += 12;
            b += 32;
        }
        rows[0] = c00; rows[1] = c01; rows[2] = c02; rows[3] = c03; rows[4] = c04; rows[5] = c05;
        rows[6] = c06; rows[7] = c07; rows[8] = c08; rows[9] = c09; rows[10] = c10; rows[11] = c11;
    }

    /// <summary>Stores <see cref="Run12Half{TTies}"/>'s 12 rows (the right half of each masked off by cols ≤ 16);
    /// returns as it does.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static uint StoreHalves<TTies>(Vector512<float>* rows, float* c, nint ldc, bool overwrite, int cols, in ConvEpilogue epilogue, int row0)
        where TTies : struct, ITieWatch
    {
        uint tied = 0;
        for (int r = 0; r < MR; r++)
            Store<TTies>(c + r * ldc, rows[r], Vector512<float>.Zero, overwrite, cols, epilogue, row0 + r, r, ref tied);
        return tied;
    }

    /// <summary>The first 8 rows of a tile (16 accumulators, enough to cover the FMA latency); returns as <see cref="Run12{TTies}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Run8<TTies>(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int cols, in ConvEpilogue epilogue, int row0 = 0)
        where TTies : struct, ITieWatch
    {
        Vector512<float> c0a = default, c0b = default, c1a = default, c1b = default, c2a = default, c2b = default, c3a = default, c3b = default;
        Vector512<float> c4a = default, c4b = default, c5a = default, c5b = default, c6a = default, c6b = default, c7a = default, c7b = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(b);
            var b1 = Vector512.LoadAligned(b + 16);
            var ai = Vector512.Create(a[0]);
            c0a = Vector512.FusedMultiplyAdd(ai, b0, c0a);
            c0b = Vector512.FusedMultiplyAdd(ai, b1, c0b);
            ai = Vector512.Create(a[1]);
            c1a = Vector512.FusedMultiplyAdd(ai, b0, c1a);
            c1b = Vector512.FusedMultiplyAdd(ai, b1, c1b);
            ai = Vector512.Create(a[2]);
            c2a = Vector512.FusedMultiplyAdd(ai, b0, c2a);
            c2b = Vector512.FusedMultiplyAdd(ai, b1, c2b);
            ai = Vector512.Create(a[3]);
            c3a = Vector512.FusedMultiplyAdd(ai, b0, c3a);
            c3b = Vector512.FusedMultiplyAdd(ai, b1, c3b);
            ai = Vector512.Create(a[4]);
            c4a = Vector512.FusedMultiplyAdd(ai, b0, c4a);
            c4b = Vector512.FusedMultiplyAdd(ai, b1, c4b);
            ai = Vector512.Create(a[5]);
            c5a = Vector512.FusedMultiplyAdd(ai, b0, c5a);
            c5b = Vector512.FusedMultiplyAdd(ai, b1, c5b);
            ai = Vector512.Create(a[6]);
            c6a = Vector512.FusedMultiplyAdd(ai, b0, c6a);
            c6b = Vector512.FusedMultiplyAdd(ai, b1, c6b);
            ai = Vector512.Create(a[7]);
            c7a = Vector512.FusedMultiplyAdd(ai, b0, c7a);
            c7b = Vector512.FusedMultiplyAdd(ai, b1, c7b);
            a += 12;
            b += 32;
        }
        uint tied = 0;
        Store<TTies>(c, c0a, c0b, overwrite, cols, epilogue, row0 + 0, 0, ref tied);
        Store<TTies>(c + ldc, c1a, c1b, overwrite, cols, epilogue, row0 + 1, 1, ref tied);
        Store<TTies>(c + 2 * ldc, c2a, c2b, overwrite, cols, epilogue, row0 + 2, 2, ref tied);
        Store<TTies>(c + 3 * ldc, c3a, c3b, overwrite, cols, epilogue, row0 + 3, 3, ref tied);
        Store<TTies>(c + 4 * ldc, c4a, c4b, overwrite, cols, epilogue, row0 + 4, 4, ref tied);
        Store<TTies>(c + 5 * ldc, c5a, c5b, overwrite, cols, epilogue, row0 + 5, 5, ref tied);
        Store<TTies>(c + 6 * ldc, c6a, c6b, overwrite, cols, epilogue, row0 + 6, 6, ref tied);
        Store<TTies>(c + 7 * ldc, c7a, c7b, overwrite, cols, epilogue, row0 + 7, 7, ref tied);
        return tied;
    }

    /// <summary>The first 4 rows of a tile; returns as <see cref="Run12{TTies}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Run4<TTies>(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int cols, in ConvEpilogue epilogue, int row0 = 0)
        where TTies : struct, ITieWatch
    {
        Vector512<float> c0a = default, c0b = default, c1a = default, c1b = default, c2a = default, c2b = default, c3a = default, c3b = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(b);
            var b1 = Vector512.LoadAligned(b + 16);
            var ai = Vector512.Create(a[0]);
            c0a = Vector512.FusedMultiplyAdd(ai, b0, c0a);
            c0b = Vector512.FusedMultiplyAdd(ai, b1, c0b);
            ai = Vector512.Create(a[1]);
            c1a = Vector512.FusedMultiplyAdd(ai, b0, c1a);
            c1b = Vector512.FusedMultiplyAdd(ai, b1, c1b);
            ai = Vector512.Create(a[2]);
            c2a = Vector512.FusedMultiplyAdd(ai, b0, c2a);
            c2b = Vector512.FusedMultiplyAdd(ai, b1, c2b);
            ai = Vector512.Create(a[3]);
            c3a = Vector512.FusedMultiplyAdd(ai, b0, c3a);
            c3b = Vector512.FusedMultiplyAdd(ai, b1, c3b);
            a += 12;
            b += 32;
        }
        uint tied = 0;
        Store<TTies>(c, c0a, c0b, overwrite, cols, epilogue, row0 + 0, 0, ref tied);
        Store<TTies>(c + ldc, c1a, c1b, overwrite, cols, epilogue, row0 + 1, 1, ref tied);
        Store<TTies>(c + 2 * ldc, c2a, c2b, overwrite, cols, epilogue, row0 + 2, 2, ref tied);
        Store<TTies>(c + 3 * ldc, c3a, c3b, overwrite, cols, epilogue, row0 + 3, 3, ref tied);
        return tied;
    }

    /// <summary>Starts loading the C tile (12 rows of two cache lines) into L1 so that the final read-modify-write
    /// does not stall on memory: the kc steps of the loop hide the latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, nint ldc)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < 12; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 16);
        }
    }

    /// <summary>Writes (or adds) the first <paramref name="cols"/> of a tile row's 32 values, finished by the
    /// epilogue for row <paramref name="index"/> when it is active; columns past them are neither read nor written
    /// (AVX-512 masked loads and stores). A watched clamp (<typeparamref name="TTies"/> = <see cref="TiesWatched"/>) sets
    /// bit <paramref name="bit"/> of <paramref name="tied"/> when a stored value met a bound.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TTies>(float* row, Vector512<float> left, Vector512<float> right, bool overwrite, int cols, in ConvEpilogue epilogue, int index, int bit, ref uint tied)
        where TTies : struct, ITieWatch
    {
        if (cols >= NR)
        {
            if (!overwrite)
            {
                left += Vector512.Load(row);
                right += Vector512.Load(row + 16);
            }
            if (typeof(TTies) == typeof(TiesWatched))
            {
                if (epilogue.FinishWatched(ref left, ref right, index, Vector512<float>.AllBitsSet, Vector512<float>.AllBitsSet)) tied |= 1u << bit;
            }
            else if (epilogue.FinishesValues) epilogue.Finish(ref left, ref right, index);
            left.Store(row);
            right.Store(row + 16);
            return;
        }
        var lanes = Vector512<int>.Indices;
        var first = Vector512.LessThan(lanes, Vector512.Create(cols)).AsSingle();
        var second = Vector512.LessThan(lanes, Vector512.Create(cols - 16)).AsSingle();
        if (!overwrite)
        {
            left += Avx512F.MaskLoad(row, first, Vector512<float>.Zero);
            right += Avx512F.MaskLoad(row + 16, second, Vector512<float>.Zero);
        }
        if (typeof(TTies) == typeof(TiesWatched))
        {
            if (epilogue.FinishWatched(ref left, ref right, index, first, second)) tied |= 1u << bit;
        }
        else if (epilogue.FinishesValues) epilogue.Finish(ref left, ref right, index);
        Avx512F.MaskStore(row, first, left);
        Avx512F.MaskStore(row + 16, second, right);
    }
}
