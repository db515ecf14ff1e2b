using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Concatenation of contiguous row-major tensors along one axis in one parallel pass over the output. Seen as
/// [outer, Σ b_i], each output row is input 0's row (b_0 elements), then input 1's, and so on. The output is cut into
/// equal element ranges, one per thread, and each thread block-copies the row pieces that fall in its range: a
/// concatenation is one fork-join, not one per input, and at batch 1 (a single row per input) every thread still
/// gets half of the bytes instead of one thread copying each input whole.
/// </summary>
/// <remarks>y[o, off_i + j] = x_i[o, j] for j &lt; b_i, with off_i = Σ_{k &lt; i} b_k; for an axis a of [d_0, …],
/// outer = d_0·…·d_(a−1) and b_i = (input i's d_a)·d_(a+1)·…. <see cref="StridedCopy.RunNaive{T}"/> through each
/// input's window of the output is the oracle.</remarks>
internal static class ConcatCopy
{
    /// <summary>Dtype dispatch over the backing arrays of tensors of one dtype.</summary>
    public static void Run(Array[] sources, int[] blocks, Array destination, int outer)
    {
        switch (destination)
        {
            case float[] f: Run([.. sources.Cast<float[]>()], blocks, f, outer); break;
            case long[] l: Run([.. sources.Cast<long[]>()], blocks, l, outer); break;
            case bool[] b: Run([.. sources.Cast<bool[]>()], blocks, b, outer); break;
            default: throw new ArgumentException($"ConcatCopy: unsupported storage {destination.GetType().Name}.");
        }
    }

    /// <summary>destination [outer, Σ blocks] = the inputs [outer, blocks[i]] side by side.</summary>
    public static void Run<T>(T[][] sources, int[] blocks, T[] destination, int outer)
    {
        var offsets = new int[blocks.Length + 1];
        for (int i = 0; i < blocks.Length; i++) offsets[i + 1] = offsets[i] + blocks[i];
        int width = offsets[^1], total = outer * width;
        if (total == 0) return;
        Parallelism.For(total, 1, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            for (int e = start; e < end;)
            {
                int o = e / width, at = e - o * width, i = 0;
                while (offsets[i + 1] <= at) i++;   // the input whose block holds column `at` (empty blocks skipped)
                int j = at - offsets[i], length = Math.Min(blocks[i] - j, end - e);
                if (typeof(T) == typeof(float)) CopyFloats(Unsafe.As<float[]>(sources[i]).AsSpan(o * blocks[i] + j, length), Unsafe.As<float[]>(destination).AsSpan(e, length));
                else sources[i].AsSpan(o * blocks[i] + j, length).CopyTo(destination.AsSpan(e, length));
                e += length;
            }
        });
    }

    /// <summary>target = source (same length, not overlapping) in 64-byte vectors, four per step: on the AMD EPYC
    /// machines that run the benchmarks <c>Span.CopyTo</c> goes to glibc's <c>rep movsb</c>, which copied a concatenation's
    /// activations (0.3–1.5 MB, read from L3) at about half the speed of plain vector loads and stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CopyFloats(ReadOnlySpan<float> source, Span<float> target)
    {
        int n = source.Length, i = 0;
        if (target.Length != n) throw new ArgumentException($"ConcatCopy.CopyFloats: {n} floats into {target.Length}.");
        if (!Vector512.IsHardwareAccelerated || n < 4 * Vector512<float>.Count)
        {
            source.CopyTo(target);
            return;
        }
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float t = ref MemoryMarshal.GetReference(target);
        const int step = 4 * 16;
        for (; i <= n - step; i += step)
        {
            var v0 = Vector512.LoadUnsafe(ref s, (nuint)i);
            var v1 = Vector512.LoadUnsafe(ref s, (nuint)(i + 16));
            var v2 = Vector512.LoadUnsafe(ref s, (nuint)(i + 32));
            var v3 = Vector512.LoadUnsafe(ref s, (nuint)(i + 48));
            v0.StoreUnsafe(ref t, (nuint)i);
            v1.StoreUnsafe(ref t, (nuint)(i + 16));
            v2.StoreUnsafe(ref t, (nuint)(i + 32));
            v3.StoreUnsafe(ref t, (nuint)(i + 48));
        }
        for (; i < n; i += 16)
        {
            i = Math.Min(i, n - 16);   // the last vector overlaps the previous ones: no scalar tail
            Vector512.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref t, (nuint)i);
        }
    }
}
