using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Where a 3×3 depthwise kernel (<see cref="DepthwiseConv3x3"/>, <see cref="DepthwiseConv3x3Stride2"/>) reads plane p
/// of the array it convolves: the plane itself, or — for the input gradient of a convolution fused with its
/// activation, the plane being the output gradient g — mask ⊙ g, written by
/// <see cref="ActivationMask.Apply(int, ReadOnlySpan{float}, Span{float})"/> into a per-thread scratch plane just before
/// the kernel reads it. Same values as the separate mask pass (entry 51 of docs/ARCHITECTURE.md), so the gradient is
/// bitwise the unfused one, but the masked copy stays in L1/L2 instead of going to memory and back.
/// </summary>
/// <remarks>Masking in the kernels' loads instead (a compare pair per masked load) was measured 10–60 % slower than the
/// separate pass: the stride-1 kernel loads each row at three column offsets for up to three output rows, so it
/// compared each value up to nine times, and the JIT moved the masks between mask and vector registers.</remarks>
internal readonly unsafe struct MaskedPlane : IPlaneSource
{
    // one pinned, 64-byte aligned scratch plane per thread (never moved: on the pinned object heap), grown as needed
    [ThreadStatic] private static float[]? buffer;

    private readonly ActivationMask mask;
    private readonly float* scratch;
    private readonly int length;

    private MaskedPlane(ActivationMask mask, float* scratch, int length)
    {
        this.mask = mask;
        this.scratch = scratch;
        this.length = length;
    }

    /// <summary>Planes of <paramref name="length"/> values, masked by <paramref name="mask"/>. Valid on the calling thread
    /// until its next call.</summary>
    public static MaskedPlane For(ActivationMask mask, int length)
    {
        if (mask.Plane != length)
            throw new ArgumentException($"MaskedPlane: a mask of planes of {mask.Plane} for planes of {length}.", nameof(mask));
        var current = buffer;
        if (current is null || current.Length < length + 16)
            buffer = current = GC.AllocateUninitializedArray<float>(Math.Max(length + 16, 4096), pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(current));
        return new(mask, (float*)((start + 63) & ~(nint)63), length);
    }

    /// <summary>Plane <paramref name="p"/> of <paramref name="planes"/>, masked into the scratch plane.</summary>
    public float* Read(float* planes, int p)
    {
        mask.Apply(p, new ReadOnlySpan<float>(planes + (nint)p * length, length), new Span<float>(scratch, length));
        return scratch;
    }
}

/// <summary>Where a 3×3 depthwise kernel reads plane p of the array it convolves: <see cref="WholePlanes"/> (the plane
/// itself) or <see cref="MaskedPlane"/> (a masked copy). A type parameter of the kernels, so that the forward pass
/// compiles as if no mask existed.</summary>
internal interface IPlaneSource
{
    /// <summary>Where plane <paramref name="p"/> of <paramref name="planes"/> is to be read.</summary>
    unsafe float* Read(float* planes, int p);
}

/// <summary>Planes read in place: plane p at planes + p · <paramref name="Length"/>.</summary>
internal readonly record struct WholePlanes(int Length) : IPlaneSource
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe float* Read(float* planes, int p) => planes + (nint)p * Length;
}
