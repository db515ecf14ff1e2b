using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>Which micro-kernel a GEMM runs on (<see cref="Auto"/> picks the widest the hardware accelerates).</summary>
internal enum GemmPath
{
    /// <summary>The widest accelerated path (Vector512, else Vector256 with FMA, else scalar), or the direct
    /// unpacked loop when the product is tiny. The explicit paths below always pack.</summary>
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
/// Packed, cache-blocked and multi-threaded (see <see cref="GemmDriver{TKernel}"/>); tiny products take a direct
/// unpacked path. Threads split the larger of m and n into contiguous slabs of whole register tiles; each thread
/// packs its own panels, so threads never wait on each other.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Products with m·n·k at most this run unpacked (packing would cost more than it saves).</summary>
    private const long SmallWork = 16 * 16 * 16;

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
    {
        Validate(a.Length, b.Length, c.Length, m, n, k, maxThreads);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c[..(m * n)].Clear();
            return;
        }
        long work = (long)m * n * k;
        if (path == GemmPath.Auto)
        {
            if (work <= SmallWork)
            {
                MultiplySmall(a, b, c, m, n, k, transA, transB, accumulate);
                return;
            }
            path = BestPath;
        }
        int threads = (int)Math.Clamp(work / WorkPerThread, 1, maxThreads);
        fixed (float* pa = a, pb = b, pc = c)
        {
            var problem = new Problem((nint)pa, transA, (nint)pb, transB, (nint)pc, m, n, k, accumulate, path);
            if (threads == 1) problem.Run(0, m, 0, n);
            else RunParallel(problem, threads);
        }
    }

    /// <summary>Splits C into <paramref name="threads"/> slabs of whole register tiles along its longer side.</summary>
    private static void RunParallel(Problem problem, int threads)
    {
        var (mr, nr) = problem.TileShape;
        bool splitColumns = problem.N >= problem.M;
        int tile = splitColumns ? nr : mr;
        int extent = splitColumns ? problem.N : problem.M;
        int tiles = (extent + tile - 1) / tile;
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

    /// <summary>Direct unpacked product for tiny shapes: row-wise AXPYs, or dot products when B is transposed.</summary>
    private static void MultiplySmall(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transA, bool transB, bool accumulate)
    {
        Span<float> column = stackalloc float[transA ? k : 0];
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * n, n);                                    // C[i, :]
            if (!accumulate) row.Clear();
            scoped ReadOnlySpan<float> aRow;                                // op(A)[i, :]
            if (transA)
            {
                for (int p = 0; p < k; p++) column[p] = a[p * m + i];
                aRow = column;
            }
            else aRow = a.Slice(i * k, k);
            if (transB)
            {
                for (int j = 0; j < n; j++) row[j] += TensorPrimitives.Dot(aRow, b.Slice(j * k, k));
            }
            else
            {
                for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aRow[p], row, row);
            }
        }
    }

    private static void Validate(int lengthA, int lengthB, int lengthC, int m, int n, int k, int maxThreads)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Gemm: dimensions must be non-negative, got m={m}, n={n}, k={k}.");
        if (maxThreads < 1)
            throw new ArgumentOutOfRangeException(nameof(maxThreads), $"Gemm: maxThreads must be at least 1, got {maxThreads}.");
        if (lengthA < (long)m * k || lengthB < (long)k * n || lengthC < (long)m * n)
            throw new ArgumentException($"Gemm: buffers of length A={lengthA}, B={lengthB}, C={lengthC} are too short for m={m}, n={n}, k={k} (need {(long)m * k}, {(long)k * n}, {(long)m * n}).");
    }

    /// <summary>One GEMM's operands as raw addresses (valid while the caller keeps them pinned), so that worker
    /// threads can each run a sub-block of C.</summary>
    private readonly record struct Problem(nint A, bool TransA, nint B, bool TransB, nint C, int M, int N, int K, bool Accumulate, GemmPath Path)
    {
        public (int Mr, int Nr) TileShape => Path switch
        {
            GemmPath.Vector512 => (GemmKernel512.MR, GemmKernel512.NR),
            GemmPath.Vector256 => (GemmKernel256.MR, GemmKernel256.NR),
            _ => (GemmKernelScalar.MR, GemmKernelScalar.NR),
        };

        /// <summary>Computes C[rowStart..rowEnd, colStart..colEnd].</summary>
        public void Run(int rowStart, int rowEnd, int colStart, int colEnd)
        {
            nint lda = TransA ? M : K, ldb = TransB ? K : N;
            float* a = (float*)A + (TransA ? rowStart : rowStart * lda);
            float* b = (float*)B + (TransB ? colStart * ldb : colStart);
            float* c = (float*)C + rowStart * (nint)N + colStart;
            int m = rowEnd - rowStart, n = colEnd - colStart;
            switch (Path)
            {
                case GemmPath.Vector512: GemmDriver<GemmKernel512>.Run(a, lda, TransA, b, ldb, TransB, c, N, m, n, K, Accumulate); break;
                case GemmPath.Vector256: GemmDriver<GemmKernel256>.Run(a, lda, TransA, b, ldb, TransB, c, N, m, n, K, Accumulate); break;
                default: GemmDriver<GemmKernelScalar>.Run(a, lda, TransA, b, ldb, TransB, c, N, m, n, K, Accumulate); break;
            }
        }
    }
}
