using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The passes of a blocked chain's backward pass that no kernel does as it stores: a clamp's gradient mask kept as bits
/// (<see cref="BlockedOperand"/>: bit e % 8 of byte e / 8 for value e) applied to a gradient where the kernel that
/// wrote it also added a residual, and the sum of the gradients of a value read twice where no kernel added one.
/// </summary>
internal static unsafe class BlockedActivation
{
    /// <summary>Floats per parallel item.</summary>
    private const int Run = 1 << 14;

    /// <summary>The eight lanes of one byte of mask bits: all ones where the bit is set, else zero. A constant, not a
    /// static field: kernels' stores inline this (<see cref="BlockedEpilogue"/>), where a static's initialization check
    /// cost the tiles their registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Lanes(byte bits)
    {
        var lanes = Vector256.Create(1, 2, 4, 8, 16, 32, 64, 128);
        return Vector256.Equals(Vector256.Create((int)bits) & lanes, lanes).AsSingle();
    }

    /// <summary>g[0, length) zeroed in place where its bit in <paramref name="bits"/> (the bytes of the array) is clear (length a multiple of 8).</summary>
    public static void MaskGradient(float[] g, float[] bits, int length)
    {
        if (length < 0 || length % 8 != 0 || g.Length < length || bits.Length < BlockedEpilogue.BitFloats(length))
            throw new ArgumentException($"BlockedActivation: {g.Length} floats and {bits.Length} floats of bits for {length} values (a multiple of 8).");
        Parallelism.For((length + Run - 1) / Run, Run, (start, end) =>
        {
            fixed (float* gs = g)
            fixed (float* words = bits)
                for (int i = start * Run, to = Math.Min(length, end * Run); i < to; i += 8)
                    (Vector256.Load(gs + i) & Lanes(((byte*)words)[i / 8])).Store(gs + i);
        });
    }

    /// <summary>sum[0, length) += addend[0, length).</summary>
    public static void Add(float[] sum, float[] addend, int length)
    {
        if (length < 0 || sum.Length < length || addend.Length < length)
            throw new ArgumentException($"BlockedActivation.Add: {sum.Length} and {addend.Length} floats for {length} values.");
        System.Numerics.Tensors.TensorPrimitives.Add(sum.AsSpan(0, length), addend.AsSpan(0, length), sum.AsSpan(0, length));
    }
}
