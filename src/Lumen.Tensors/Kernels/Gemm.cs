using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>Which micro-kernel a GEMM runs on (<see cref="Auto"/> picks the widest the hardware accelerates).</summary>
internal enum GemmPath
{
    /// <summary>The widest accelerated path (Vector512, else Vector256 with FMA, else scalar), or the unpacked
    /// matrix-vector loop when m or n is 1. The explicit paths below always pack.</summary>
    Auto,

    /// <summary>The 4×4 scalar micro-kernel.</summary>
    Scalar,

    /// <summary>The 6×16 Vector256 micro-kernel.</summary>
    Vector256,

    /// <summary>The 12×32 Vector512 micro-kernel.</summary>
    Vector512,
}

/// <summary>
/// Single-precision matrix multiply on row-major, densely packed matrices:
/// C[m,n] (+)= op(A)·op(B), where op(A) is [m,k] (A stored [k,m] when <c>transA</c>) and op(B) is [k,n]
/// (B stored [n,k] when <c>transB</c>).
/// </summary>
/// <remarks>
/// Packed, cache-blocked and multi-threaded (see <see cref="GemmDriver{TKernel}"/>); matrix-vector products take
/// a direct unpacked path (measured: packing beats unpacked row loops from 16³ down to 8³ already). Threads split C into
/// contiguous slabs of whole register tiles, of rows or of columns, whichever leaves the busiest thread the least
/// work (<see cref="SplitsColumns"/>); each thread packs its own panels, so threads never wait on each other. A caller that multiplies the same A many times can
/// pack it once (<see cref="GemmPackedA"/>) and share the panels read-only; one that can write B in the packed layout
/// itself passes it to <see cref="MultiplyPackedB"/>.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Multiply-adds a thread must get before another thread is worth waking.</summary>
    private const long WorkPerThread = 64 * 64 * 64;

    /// <summary>The micro-kernel <see cref="GemmPath.Auto"/> resolves to on this machine.</summary>
    public static GemmPath BestPath { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmPath.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmPath.Vector256
        : GemmPath.Scalar;

    /// <summary>C (+)= op(A)·op(B) on up to <see cref="Parallelism.MaxDegree"/> threads. Overwrites C unless
    /// <paramref name="accumulate"/>.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transA = false, bool transB = false, bool accumulate = false)
        => Multiply(a, b, c, m, n, k, transA, transB, accumulate, Parallelism.MaxDegree, GemmPath.Auto);

    /// <summary>C (+)= op(A)·op(B) on at most <paramref name="maxThreads"/> threads with the given micro-kernel.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transA, bool transB, bool accumulate, int maxThreads, GemmPath path)
        => Multiply(a, b, c, m, n, k, transA, transB, accumulate, maxThreads, path, default);

    /// <summary>C (+)= op(A)·op(B), then the <paramref name="epilogue"/> on each row of C (row i is its row i), applied
    /// to each tile of C as soon as it is final, while it is in cache.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transA, bool transB, bool accumulate, int maxThreads, GemmPath path, in ConvEpilogue epilogue)
        => Multiply(a, b, c, n, m, n, k, transA, transB, accumulate, maxThreads, path, epilogue);

    /// <summary>As above with C's rows <paramref name="ldc"/> ≥ n floats apart (C[i, j] at c[i·ldc + j]), e.g. a band
    /// of output rows inside each channel plane of a convolution's output; elements between rows are not touched.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int ldc, int m, int n, int k,
        bool transA, bool transB, bool accumulate, int maxThreads, GemmPath path, in ConvEpilogue epilogue)
        => Multiply(a, null, b, c, ldc, m, n, k, transA, transB, accumulate, maxThreads, path, epilogue);

    /// <summary>As above, reading A's panels from <paramref name="packedA"/> (op(<paramref name="a"/>) packed for
    /// this m, k and path, or null) instead of packing A; <paramref name="a"/> still serves the matrix-vector and
    /// zero-depth paths, which do not pack. Results are bitwise those of the unpacked call.</summary>
    public static void Multiply(ReadOnlySpan<float> a, GemmPackedA? packedA, ReadOnlySpan<float> b, Span<float> c, int ldc, int m, int n, int k,
        bool transA, bool transB, bool accumulate, int maxThreads, GemmPath path, in ConvEpilogue epilogue)
    {
        Validate(a.Length, b.Length, (long)k * n, c.Length, ldc, m, n, k, maxThreads);
        if (m == 0 || n == 0) return;
        if (ldc != n && path == GemmPath.Auto) path = BestPath;          // the matrix-vector loop writes dense rows only
        if (k == 0 || (path == GemmPath.Auto && (m == 1 || n == 1)))
        {
            if (k == 0) { if (!accumulate) for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear(); }
            else MultiplyVector(a, b, c, m, n, k, transA, transB, accumulate, maxThreads);
            if (epilogue.IsActive && n == 1 && ldc == 1)
                fixed (float* column = c) epilogue.ApplyColumn(column, m);     // a classifier's logits: 16 at a time
            else if (epilogue.IsActive)
                for (int i = 0; i < m; i++) epilogue.Apply(c.Slice(i * ldc, n), i);
            return;
        }
        if (path == GemmPath.Auto)
        {
            path = BestPath;
        }
        RunPacked(a, packedA, b, packedB: false, c, ldc, m, n, k, transA, transB, accumulate, maxThreads, path, epilogue);
    }

    /// <summary>C (+)= op(A)·B with B given as the panels the <paramref name="path"/> kernel's driver would pack from
    /// it (<see cref="PanelShapeB"/>: depth block [pc, pc + kc) at pc·⌈n⌉ floats, ⌈n⌉ = n rounded up to NR, and the
    /// panel of columns [j, j + NR) within it at j·kc, kc steps of NR values with zeros past column n), e.g. a
    /// convolution's column matrix written straight into panels by <see cref="Im2Col.FillPacked"/>. Always runs
    /// the packed kernel (<see cref="GemmPath.Auto"/> is <see cref="BestPath"/>); bitwise the product of the
    /// unpacked B.</summary>
    public static void MultiplyPackedB(ReadOnlySpan<float> a, GemmPackedA? packedA, ReadOnlySpan<float> packedB, Span<float> c, int ldc, int m, int n, int k,
        bool transA, bool accumulate, int maxThreads, GemmPath path, in ConvEpilogue epilogue)
    {
        if (path == GemmPath.Auto) path = BestPath;
        Validate(a.Length, packedB.Length, (long)k * RoundUp(n, TileShape(path).Nr), c.Length, ldc, m, n, k, maxThreads);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            Multiply(a, packedB, c, ldc, m, n, k, transA, false, accumulate, maxThreads, path, epilogue);
            return;
        }
        fixed (float* pb = packedB)
            if (((nint)pb & 63) != 0)
                throw new ArgumentException("Gemm: packed B must start on a 64-byte boundary (the kernels load its panels aligned; see GemmBuffers.Columns).", nameof(packedB));
        RunPacked(a, packedA, packedB, packedB: true, c, ldc, m, n, k, transA, false, accumulate, maxThreads, path, epilogue);
    }

    /// <summary>C_n = A·B_n for each of <paramref name="batch"/> images, as one product over their planes side by side
    /// (<see cref="GemmPlanes"/>): A is [m, k] (or <paramref name="packedA"/>), <paramref name="b"/> holds the images'
    /// [k, P] matrices one after the other ([N, k, P], P = <paramref name="plane"/>) and <paramref name="c"/> receives
    /// their [m, P] products the same way ([N, m, P]), with the <paramref name="epilogue"/> on each row. One product
    /// reads A once for all images and fills whole register tiles across image boundaries, where one product per
    /// image would re-read A for each image and pad each image's last tile (49 columns are 32 + 17 of 32). Always the
    /// packed kernel of <paramref name="path"/> (<see cref="GemmPath.Auto"/>: <see cref="BestPath"/>), split over
    /// up to <paramref name="maxThreads"/> threads; each element bitwise as the per-image packed product. B is packed
    /// in blocks of one column group (<see cref="GemmDriver{TKernel}"/>), so pass A packed (<see cref="GemmPackedA"/>)
    /// unless there is only one such block: each block would pack A again. C's images may lie
    /// <paramref name="imageStrideC"/> floats apart (0: m·P, dense), e.g. inside a channel concatenation's result.</summary>
    public static void MultiplyPlanes(ReadOnlySpan<float> a, GemmPackedA? packedA, ReadOnlySpan<float> b, Span<float> c, int m, int k, int batch, int plane,
        int maxThreads, GemmPath path, in ConvEpilogue epilogue, int imageStrideC = 0)
    {
        if (batch < 0 || plane < 0)
            throw new ArgumentOutOfRangeException(nameof(batch), $"Gemm: batch and plane must be non-negative, got batch={batch}, plane={plane}.");
        long n = (long)batch * plane;
        if (n > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(batch), $"Gemm: {batch} planes of {plane} are more than {int.MaxValue} columns.");
        Validate(a.Length, b.Length, (long)batch * k * plane, c.Length, (int)n, m, (int)n, k, maxThreads);
        long strideC = imageStrideC == 0 ? (long)m * plane : imageStrideC;
        if (strideC < (long)m * plane || (batch > 0 && (batch - 1) * strideC + (long)m * plane > c.Length))
            throw new ArgumentException($"Gemm: {batch} images of [{m}, {plane}] {strideC} floats apart do not fit C's {c.Length} floats.", nameof(imageStrideC));
        if (m == 0 || n == 0) return;
        if (k == 0)
            throw new ArgumentOutOfRangeException(nameof(k), "Gemm: a product of planes needs a depth of at least 1.");
        if (path == GemmPath.Auto) path = BestPath;
        RunPacked(a, packedA, b, packedB: false, c, plane, m, (int)n, k, transA: false, transB: false, accumulate: false, maxThreads, path, epilogue,
            new GemmPlanes(plane, (nint)k * plane, (nint)strideC, 0));
    }

    /// <summary>The depth of each block and the columns of each panel of packed B on <paramref name="path"/> (not
    /// <see cref="GemmPath.Auto"/>) for depth <paramref name="k"/>: the layout <see cref="MultiplyPackedB"/> reads.</summary>
    internal static (int DepthBlock, int Nr) PanelShapeB(GemmPath path, int k) => path switch
    {
        GemmPath.Vector512 => (GemmDriver<GemmKernel512>.DepthBlock(k), GemmKernel512.NR),
        GemmPath.Vector256 => (GemmDriver<GemmKernel256>.DepthBlock(k), GemmKernel256.NR),
        _ => (GemmDriver<GemmKernelScalar>.DepthBlock(k), GemmKernelScalar.NR),
    };

    /// <summary>The packed-kernel product on a resolved path (k ≥ 1), with A and B each packed per block or given packed.</summary>
    private static void RunPacked(ReadOnlySpan<float> a, GemmPackedA? packedA, ReadOnlySpan<float> b, bool packedB, Span<float> c, int ldc, int m, int n, int k,
        bool transA, bool transB, bool accumulate, int maxThreads, GemmPath path, in ConvEpilogue epilogue, GemmPlanes planes = default)
    {
        if (packedA is not null && (packedA.M != m || packedA.K != k || packedA.Path != path))
            throw new ArgumentException($"Gemm: A packed as m={packedA.M}, k={packedA.K} for the {packedA.Path} kernel does not fit m={m}, k={k} on the {path} kernel.", nameof(packedA));
        int threads = Threads(m, n, k, maxThreads);
        fixed (float* pa = a, pb = b, pc = c, pp = packedA is null ? null : packedA.Data)
        {
            var problem = new Problem((nint)pa, transA, (nint)pb, transB, (nint)pc, ldc, m, n, k, accumulate, path, epilogue,
                (nint)pp, packedA?.PaddedRows ?? 0, packedB ? RoundUp(n, TileShape(path).Nr) : 0, planes);
            if (threads == 1) problem.Run(0, m, 0, n);
            else RunParallel(problem, threads, SplitsColumns(m, n, threads, path, packedA is not null, packedB));
        }
    }

    /// <summary>How many times <see cref="Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, int, bool, bool, bool, int, GemmPath, in ConvEpilogue)"/>
    /// packs the whole of A for these dimensions: once per column block of NC, on each thread when threads split
    /// the columns; 0 on the matrix-vector and zero-depth paths. A caller that runs more than one such product with
    /// the same A saves the rest by packing it once (<see cref="GemmPackedA"/>).</summary>
    public static int PackingsOfA(int m, int n, int k, int maxThreads, GemmPath path = GemmPath.Auto)
    {
        if (m <= 0 || n <= 0 || k <= 0 || (path == GemmPath.Auto && (m == 1 || n == 1))) return 0;
        if (path == GemmPath.Auto) path = BestPath;
        int nr = TileShape(path).Nr;
        int nc = path switch
        {
            GemmPath.Vector512 => GemmKernel512.NC,
            GemmPath.Vector256 => GemmKernel256.NC,
            _ => GemmKernelScalar.NC,
        };
        int threads = Threads(m, n, k, maxThreads);
        if (threads == 1 || !SplitsColumns(m, n, threads, path, aPacked: false, bPacked: false)) return (n + nc - 1) / nc;
        int parts = Math.Min(threads, (n + nr - 1) / nr), slab = (n + parts - 1) / parts;
        return parts * ((slab + nc - 1) / nc);
    }

    private static int Threads(int m, int n, int k, int maxThreads) => (int)Math.Clamp((long)m * n * k / WorkPerThread, 1, maxThreads);

    /// <summary>The register tile (MR × NR) of a packed path's micro-kernel.</summary>
    internal static (int Mr, int Nr) TileShape(GemmPath path) => path switch
    {
        GemmPath.Vector512 => (GemmKernel512.MR, GemmKernel512.NR),
        GemmPath.Vector256 => (GemmKernel256.MR, GemmKernel256.NR),
        _ => (GemmKernelScalar.MR, GemmKernelScalar.NR),
    };

    /// <summary>Floats a thread packs in the time its micro-kernel spends on one element of C per depth step: a
    /// register tile of MR·NR = 384 products takes ~12 cycles (two 16-wide FMAs a cycle), packing a float ~0.75.</summary>
    private const int PackCost = 24;

    /// <summary>Whether <paramref name="threads"/> threads split C into column slabs (each packs its own slab of B
    /// and the whole of A) rather than row slabs (its own rows of A, the whole of B): the split whose busiest thread
    /// does less, counting whole register tiles (a ragged tile costs as much as a full one) plus
    /// <see cref="PackCost"/> per row or column it packs (none for an operand given packed). Ties split the columns.
    /// E.g. m = 96, n = 196 on 2 threads: 7 column panels give one thread 4, while 8 row panels split 4 + 4; m = 1000,
    /// n = 169 with A packed: 3 of the 6 column panels against 42 row tiles of 5.5 panels (<see cref="ColumnCost"/>).
    /// The split does not change any element's sum, only who computes it.</summary>
    internal static bool SplitsColumns(int m, int n, int threads, GemmPath path, bool aPacked, bool bPacked)
    {
        var (mr, nr) = TileShape(path);
        long rowTiles = (m + mr - 1) / mr, colTiles = (n + nr - 1) / nr;
        long colSlab = CeilDiv(colTiles, Math.Min(threads, colTiles)) * nr, rowSlab = CeilDiv(rowTiles, Math.Min(threads, rowTiles)) * mr;
        long byColumns = colSlab * rowTiles * mr + PackCost * ((aPacked ? 0 : m) + (bPacked ? 0 : colSlab));
        long byRows = rowSlab * ColumnCost(n, path) + PackCost * ((aPacked ? 0 : rowSlab) + (bPacked ? 0 : n));
        return byColumns <= byRows;
    }

    /// <summary>What a row of register tiles across n columns costs, in columns: whole panels, the last one at half
    /// cost where the kernel runs a ragged panel of at most half its width on one vector (AVX-512's
    /// <see cref="GemmKernel512.HalfWidth"/>: 169 columns cost 5.5 panels, not 6). The side that holds the ragged
    /// panel whole (a row slab: every column) pays only that; a column slab of whole panels pays full panels.</summary>
    private static long ColumnCost(int n, GemmPath path)
    {
        int nr = TileShape(path).Nr, ragged = n % nr;
        long whole = (long)(n / nr) * nr;
        if (ragged == 0) return whole;
        return whole + (path == GemmPath.Vector512 && ragged <= GemmKernel512.HalfWidth ? nr / 2 : nr);
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    /// <summary>Column slabs per thread when A is given packed (or is at most two register tiles tall), so that more
    /// slabs cost no more packing: the threads claim them as they become free, and a thread that starts late leaves
    /// its slabs to the others.</summary>
    private const int SlabsPerThread = 8;

    /// <summary>Register tiles a claimed column slab has at least, so that each slab reuses the packed A panels it
    /// streams from cache over at least 64 (AVX-512) columns.</summary>
    private const int MinSlabTiles = 2;

    /// <summary>Column slabs for <paramref name="tiles"/> column panels on <paramref name="threads"/> threads when they
    /// are claimed dynamically: up to <see cref="SlabsPerThread"/> per thread of at least <see cref="MinSlabTiles"/>
    /// panels, and a whole number per thread, so that threads that are on time finish together (at least one slab a
    /// thread, or one a panel when there are fewer). SqueezeNet's 27² layers (23 panels) made 5 slabs, 3 + 2 on two
    /// threads, 14 panels against 9; 4 slabs run 11 + 12: alone, 32 → 128 channels 45–46 → 41–42 µs, 256 → 32 90–91 →
    /// 80, 128 → 32 55–56 → 48–49; the whole forward 0.5–0.9 % faster (passes alternated in one process). Up to 8 slabs
    /// a thread of 2 panels or more (10 slabs for those 23 panels, 16 for a 55² plane's 95) instead of 4 of 4: the thread
    /// that finishes its share first takes the other's last slabs, where slabs of 5–6 panels left it waiting a slab
    /// (in context both threads' shares of each 27² layer differed by 10–25 %); SqueezeNet's forward on two threads
    /// 0.2–0.5 % faster (8 rounds of passes alternated in one process, pair-ratio medians 0.995–0.998), MobileNetV2
    /// 0.997–0.999, Tiny Darknet 0.998–1.000; 16 a thread measured 0.997–1.006, 6 0.996–1.000.</summary>
    internal static int ColumnSlabs(int tiles, int threads)
    {
        int most = Math.Min(threads * SlabsPerThread, tiles / MinSlabTiles);
        return Math.Max(Math.Min(threads, tiles), most / threads * threads);
    }

    /// <summary>Splits C into slabs of whole register tiles, of columns or of rows: one fixed slab per thread, or, for
    /// columns when no thread would pack A again for its extra slabs, up to <see cref="SlabsPerThread"/> per thread
    /// claimed dynamically (<see cref="Parallelism.ForDynamic(int, long, int, int, Action{int, int}, Action)"/>).</summary>
    private static void RunParallel(Problem problem, int threads, bool splitColumns)
    {
        var (mr, nr) = TileShape(problem.Path);
        int tile = splitColumns ? nr : mr;
        int extent = splitColumns ? problem.N : problem.M;
        int tiles = (extent + tile - 1) / tile;
        if (splitColumns && (problem.PackedA != 0 || problem.M <= 2 * mr))
        {
            int slabs = ColumnSlabs(tiles, threads);
            if (slabs > threads)
            {
                // a claim is a run of slabs: one at a time on several threads, all of them when ForDynamic runs inline
                Parallelism.ForDynamic(slabs, (long)problem.M * problem.N * problem.K / slabs, 1, threads, (first, last) =>
                {
                    for (int slab = first; slab < last; slab++)
                    {
                        int start = Math.Min(extent, (int)((long)tiles * slab / slabs) * tile);
                        int end = Math.Min(extent, (int)((long)tiles * (slab + 1) / slabs) * tile);
                        if (end > start) problem.Run(0, problem.M, start, end);
                    }
                });
                return;
            }
        }
        int parts = Math.Min(threads, tiles);
        long workPerPart = (long)problem.M * problem.N * problem.K / parts;
        Parallelism.For(parts, workPerPart, (first, last) =>
        {
            for (int part = first; part < last; part++)
            {
                int start = Math.Min(extent, (int)((long)tiles * part / parts) * tile);
                int end = Math.Min(extent, (int)((long)tiles * (part + 1) / parts) * tile);
                if (end <= start) continue;
                if (splitColumns) problem.Run(0, problem.M, start, end);
                else problem.Run(start, end, 0, problem.N);
            }
        });
    }

    /// <summary>Matrix-vector products (m = 1 or n = 1), where packing would pad a register tile with zeros: the
    /// vector operand is contiguous whatever its transpose flag, so each output is a dot product or an AXPY sweep.</summary>
    private static void MultiplyVector(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transA, bool transB, bool accumulate, int maxThreads)
    {
        // Orient as y[rows] (+)= M·x where M's rows are contiguous (dot products) or its columns are (AXPYs).
        bool columnVector = n == 1;
        var x = columnVector ? b[..k] : a[..k];                              // [k]
        var matrix = columnVector ? a : b;
        bool rowsContiguous = columnVector ? !transA : transB;               // M[i, :] contiguous?
        int rows = columnVector ? m : n;
        var y = c[..rows];                                                   // [rows]
        if (rowsContiguous)
        {
            fixed (float* pm = matrix, px = x, py = y)
            {
                if (maxThreads > 1 && (long)rows * k >= WorkPerThread * 4)
                {
                    // a classifier's weights (e.g. 1000 × 1280) are read once: split the dot products across threads
                    var (mp, xp, yp) = ((nint)pm, (nint)px, (nint)py);
                    Parallelism.For(rows, k, (start, end) => GemmVector.DotRows((float*)mp, k, (float*)xp, (float*)yp, start, end, accumulate));
                }
                else GemmVector.DotRows(pm, k, px, py, 0, rows, accumulate);
            }
        }
        else
        {
            if (!accumulate) y.Clear();
            for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(matrix.Slice(p * rows, rows), x[p], y, y);
        }
    }

    private static void Validate(int lengthA, int lengthB, long needB, int lengthC, int ldc, int m, int n, int k, int maxThreads)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Gemm: dimensions must be non-negative, got m={m}, n={n}, k={k}.");
        if (maxThreads < 1)
            throw new ArgumentOutOfRangeException(nameof(maxThreads), $"Gemm: maxThreads must be at least 1, got {maxThreads}.");
        if (ldc < n)
            throw new ArgumentOutOfRangeException(nameof(ldc), $"Gemm: row stride {ldc} of C is less than its {n} columns.");
        long needC = m == 0 || n == 0 ? 0 : (long)(m - 1) * ldc + n;   // m·n when C is dense
        if (lengthA < (long)m * k || lengthB < needB || lengthC < needC)
            throw new ArgumentException($"Gemm: buffers of length A={lengthA}, B={lengthB}, C={lengthC} are too short for m={m}, n={n}, k={k}, C row stride {ldc} (need {(long)m * k}, {needB}, {needC}).");
    }

    /// <summary>One GEMM's operands as raw addresses (valid while the caller keeps them pinned), so that worker
    /// threads can each run a sub-block of C; <see cref="PackedA"/> is A's panels packed whole (0 when A is packed
    /// per block), <see cref="PaddedRows"/> their floats per depth step; when <see cref="PaddedCols"/> is not 0, B is
    /// given packed whole with that many floats per depth step; when <see cref="Planes"/> is active, B and C are
    /// batches of planes (its FirstCol is 0 here: each sub-block passes its own).</summary>
    private readonly record struct Problem(nint A, bool TransA, nint B, bool TransB, nint C, nint Ldc, int M, int N, int K, bool Accumulate, GemmPath Path, ConvEpilogue Epilogue,
        nint PackedA, nint PaddedRows, nint PaddedCols, GemmPlanes Planes)
    {
        /// <summary>Computes C[rowStart..rowEnd, colStart..colEnd].</summary>
        public void Run(int rowStart, int rowEnd, int colStart, int colEnd)
        {
            nint lda = TransA ? M : K, ldb = TransB ? K : N;
            float* a = (float*)A + (TransA ? rowStart : rowStart * lda);
            var packed = new GemmPrepacked((float*)PackedA, PaddedRows, rowStart, PaddedCols != 0 ? (float*)B : null, PaddedCols, colStart);
            float* b, c;
            var planes = Planes;
            if (planes.IsActive)
            {
                // B and C keep image 0's column 0; the driver finds each column's image from FirstCol
                ldb = planes.Plane;
                b = (float*)B;
                c = (float*)C + rowStart * Ldc;
                planes = new GemmPlanes(planes.Plane, planes.ImageStrideB, planes.ImageStrideC, colStart);
            }
            else
            {
                b = PaddedCols != 0 ? null : (float*)B + (TransB ? colStart * ldb : colStart);
                c = (float*)C + rowStart * Ldc + colStart;
            }
            int m = rowEnd - rowStart, n = colEnd - colStart;
            switch (Path)
            {
                case GemmPath.Vector512: GemmDriver<GemmKernel512>.Run(a, lda, TransA, b, ldb, TransB, c, Ldc, m, n, K, Accumulate, Epilogue, rowStart, packed, planes); break;
                case GemmPath.Vector256: GemmDriver<GemmKernel256>.Run(a, lda, TransA, b, ldb, TransB, c, Ldc, m, n, K, Accumulate, Epilogue, rowStart, packed, planes); break;
                default: GemmDriver<GemmKernelScalar>.Run(a, lda, TransA, b, ldb, TransB, c, Ldc, m, n, K, Accumulate, Epilogue, rowStart, packed, planes); break;
            }
        }
    }
}
