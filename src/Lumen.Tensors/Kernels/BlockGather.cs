namespace Lumen.Tensors.Kernels;

/// <summary>
/// Moves equal-length blocks of elements to or from a list of offsets. With the offsets worked out by the op,
/// this is the data movement of IndexSelect (a block is a row slab), Gather/GatherElements (one element),
/// GatherNd (a trailing slice), and of their scatter twins. Blocks of length &gt; 1 are span copies.
/// </summary>
internal static class BlockGather
{
    /// <summary><c>dst[s·block .. +block] = src[offsets[s] .. +block]</c> for every s (parallel over s).</summary>
    internal static void Gather(Array src, int[] offsets, int block, Array dst)
    {
        switch (src)
        {
            case float[] f: Gather(f, offsets, block, (float[])dst); break;
            case long[] l: Gather(l, offsets, block, (long[])dst); break;
            case bool[] b: Gather(b, offsets, block, (bool[])dst); break;
            default: throw new ArgumentException($"BlockGather: unsupported storage {src.GetType().Name}.");
        }
    }

    private static void Gather<T>(T[] src, int[] offsets, int block, T[] dst) =>
        Parallelism.For(offsets.Length, block, (start, end) =>
        {
            if (block == 1)
                for (int s = start; s < end; s++) dst[s] = src[offsets[s]];
            else
                for (int s = start; s < end; s++) src.AsSpan(offsets[s], block).CopyTo(dst.AsSpan(s * block, block));
        });

    /// <summary><c>dst[offsets[s] .. +block] = src[s·block .. +block]</c> (or <c>+=</c> when <paramref name="add"/>),
    /// in order of s so that later blocks win and sums are deterministic. Add needs Float32 or Int64.</summary>
    internal static void Scatter(Array src, int[] offsets, int block, Array dst, bool add)
    {
        switch (src)
        {
            case float[] f when add: ScatterAdd(f, offsets, block, (float[])dst); break;
            case long[] l when add: ScatterAdd(l, offsets, block, (long[])dst); break;
            case float[] f: ScatterAssign(f, offsets, block, (float[])dst); break;
            case long[] l: ScatterAssign(l, offsets, block, (long[])dst); break;
            case bool[] b when !add: ScatterAssign(b, offsets, block, (bool[])dst); break;
            default: throw new ArgumentException($"BlockGather: cannot scatter {(add ? "with add " : "")}into {src.GetType().Name}.");
        }
    }

    private static void ScatterAssign<T>(T[] src, int[] offsets, int block, T[] dst)
    {
        for (int s = 0; s < offsets.Length; s++) src.AsSpan(s * block, block).CopyTo(dst.AsSpan(offsets[s], block));
    }

    private static void ScatterAdd<T>(T[] src, int[] offsets, int block, T[] dst) where T : System.Numerics.INumber<T>
    {
        for (int s = 0; s < offsets.Length; s++)
        {
            var to = dst.AsSpan(offsets[s], block);
            System.Numerics.Tensors.TensorPrimitives.Add(to, src.AsSpan(s * block, block), to);
        }
    }
}
