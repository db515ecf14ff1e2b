using System.Runtime.CompilerServices;

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
                sources[i].AsSpan(o * blocks[i] + j, length).CopyTo(destination.AsSpan(e, length));
                e += length;
            }
        });
    }
}
