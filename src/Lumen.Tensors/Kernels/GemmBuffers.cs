using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lumen.Tensors.Kernels;

/// <summary>Per-thread, 64-byte aligned, pinned scratch buffers for packed GEMM panels: grown on demand and
/// reused, so a GEMM call allocates nothing once a thread has warmed up.</summary>
internal static unsafe class GemmBuffers
{
    private const int Alignment = 64;

    /// <summary>Floats of margin past the requested length.</summary>
    private const int Slack = 8;

    [ThreadStatic] private static float[]? packedA;
    [ThreadStatic] private static float[]? packedB;
    [ThreadStatic] private static float[]? columns;
    [ThreadStatic] private static float[]? transform;

    /// <summary>Scratch for packed A (at least <paramref name="length"/> floats), valid until this thread's next call.</summary>
    public static float* A(int length) => Rent(ref packedA, length);

    /// <summary>Scratch for packed B (at least <paramref name="length"/> floats), valid until this thread's next call.</summary>
    public static float* B(int length) => Rent(ref packedB, length);

    /// <summary>Scratch for a B that the caller packs itself for <see cref="Gemm.MultiplyPackedB"/> (a convolution
    /// band's columns), <paramref name="length"/> floats, valid until this thread's next call of this method.</summary>
    public static Span<float> Columns(int length) => new(Rent(ref columns, length), length);

    /// <summary>Scratch for a convolution's tile transforms (<see cref="WinogradConvolution"/>: the phases of the
    /// input rows and of the output tiles), <paramref name="length"/> floats, valid until this thread's next call of
    /// this method.</summary>
    public static float* Transform(int length) => Rent(ref transform, length);

    private static float* Rent(ref float[]? slot, int length)
    {
        int padded = length + Alignment / sizeof(float) + Slack;
        if (slot is null || slot.Length < padded) slot = GC.AllocateUninitializedArray<float>(padded, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(slot));
        return (float*)((address + (Alignment - 1)) & ~(nint)(Alignment - 1));
    }
}
