using System.Buffers;

using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// op(A) of a GEMM packed once, whole, into the micro-kernel's panel layout (every depth block of every row panel),
/// so that many products with the same A — the bands, images and threads of one convolution call — skip packing it
/// again and share these panels read-only.
/// </summary>
/// <remarks>
/// Layout: the depth blocks of <see cref="GemmDriver{TKernel}"/> (k split into balanced blocks of at most KC), one
/// after the other; depth block [pc, pc + kc) holds the ⌈m/MR⌉ row panels of <see cref="GemmPacking.PackA"/>, so the
/// panel of rows [r, r + MR) starts at pc·⌈m⌉ + r·kc (⌈m⌉ = m rounded up to MR). The buffer is rented from the
/// shared array pool and goes back on <see cref="Dispose"/>; it must not outlive the call that packed it, as the
/// weights it copies may change between calls (<see cref="Tensor.AsSpan"/> is writable; ARCHITECTURE entry 35).
/// The exception is a packing <see cref="Kept"/> for read-only weights (<see cref="PackedWeights"/>): its buffer is
/// its own, and <see cref="Dispose"/> leaves it alone, so callers release kept and per-call packings alike.
/// </remarks>
internal sealed unsafe class GemmPackedA : IDisposable
{
    private float[]? data;

    private GemmPackedA(float[] data, int m, int k, GemmPath path, bool kept)
    {
        this.data = data;
        M = m;
        K = k;
        Path = path;
        Kept = kept;
    }

    /// <summary>Rows of op(A).</summary>
    public int M { get; }

    /// <summary>Columns of op(A) (the GEMM's depth).</summary>
    public int K { get; }

    /// <summary>The micro-kernel whose panel layout this is (never <see cref="GemmPath.Auto"/>).</summary>
    public GemmPath Path { get; }

    /// <summary>True for a packing kept between calls (<see cref="PackedWeights"/>): its buffer is not pooled, and
    /// <see cref="Dispose"/> does nothing.</summary>
    public bool Kept { get; }

    /// <summary>The packed panels (valid until <see cref="Dispose"/>).</summary>
    internal float[] Data => data ?? throw new ObjectDisposedException(nameof(GemmPackedA));

    /// <summary>m rounded up to the micro-kernel's MR: the floats per depth step of a depth block.</summary>
    internal int PaddedRows => RoundUp(M, Gemm.TileShape(Path).Mr);

    /// <summary>Packs the m×k matrix op(A) — a[i·k + p], or a[p·m + i] when <paramref name="transA"/> — for
    /// <paramref name="path"/> (<see cref="GemmPath.Auto"/>: <see cref="Gemm.BestPath"/>), on up to
    /// <paramref name="maxThreads"/> threads. A <paramref name="kept"/> packing gets a buffer of its own instead of a
    /// pooled one, to be kept between calls.</summary>
    public static GemmPackedA Pack(ReadOnlySpan<float> a, int m, int k, bool transA, GemmPath path, int maxThreads, bool kept = false)
    {
        if (m < 1 || k < 1)
            throw new ArgumentOutOfRangeException(nameof(m), $"GemmPackedA: dimensions must be positive, got m={m}, k={k}.");
        if (a.Length < (long)m * k)
            throw new ArgumentException($"GemmPackedA: A has {a.Length} floats, too few for m={m}, k={k} (need {(long)m * k}).", nameof(a));
        if (path == GemmPath.Auto) path = Gemm.BestPath;
        int mr = Gemm.TileShape(path).Mr, panels = (m + mr - 1) / mr;
        int length = checked(panels * mr * k);
        var data = kept ? GC.AllocateUninitializedArray<float>(length) : ArrayPool<float>.Shared.Rent(length);
        fixed (float* pa = a, pd = data)
        {
            var (source, target) = ((nint)pa, (nint)pd);
            Parallelism.For(panels, (long)mr * k, (first, last) =>
            {
                switch (path)
                {
                    case GemmPath.Vector512: GemmDriver<GemmKernel512>.PackPanels((float*)source, m, k, transA, first, last, (float*)target); break;
                    case GemmPath.Vector256: GemmDriver<GemmKernel256>.PackPanels((float*)source, m, k, transA, first, last, (float*)target); break;
                    default: GemmDriver<GemmKernelScalar>.PackPanels((float*)source, m, k, transA, first, last, (float*)target); break;
                }
            });
        }
        return new GemmPackedA(data, m, k, path, kept);
    }

    /// <summary>Returns the buffer to the pool (a <see cref="Kept"/> packing: does nothing).</summary>
    public void Dispose()
    {
        if (Kept) return;
        var rented = Interlocked.Exchange(ref data, null);
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }
}
