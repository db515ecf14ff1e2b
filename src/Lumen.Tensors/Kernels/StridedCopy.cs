namespace Lumen.Tensors.Kernels;

/// <summary>
/// Copies a block of elements between two strided layouts: for every multi-index i in <c>dims</c>,
/// <c>dst[dstOffset + Σ i_d·dstStrides_d] = src[srcOffset + Σ i_d·srcStrides_d]</c>. Strides may be negative
/// (flips, negative slice steps) or zero on the source side (broadcasts). This one kernel moves the data of
/// Permute, Transpose, Slice, Flip, Concat and Pad.
/// </summary>
/// <remarks>Dimensions of size 1 are dropped and adjacent dimensions that are contiguous in both layouts are
/// merged, so the innermost loop is as long as possible; when it is unit-stride on both sides it is a block
/// copy (<see cref="Span{T}.CopyTo"/>). Rows are split across <see cref="Parallelism.MaxDegree"/> threads.</remarks>
internal static class StridedCopy
{
    /// <summary>Dtype dispatch over the backing arrays of two tensors of the same dtype.</summary>
    internal static void Run(Array src, int srcOffset, int[] srcStrides, Array dst, int dstOffset, int[] dstStrides, int[] dims)
    {
        switch (src)
        {
            case float[] f: Run(f, srcOffset, srcStrides, (float[])dst, dstOffset, dstStrides, dims); break;
            case long[] l: Run(l, srcOffset, srcStrides, (long[])dst, dstOffset, dstStrides, dims); break;
            case bool[] b: Run(b, srcOffset, srcStrides, (bool[])dst, dstOffset, dstStrides, dims); break;
            default: throw new ArgumentException($"StridedCopy: unsupported storage {src.GetType().Name}.");
        }
    }

    /// <summary>The fast copy (see the class remarks).</summary>
    internal static void Run<T>(T[] src, int srcOffset, int[] srcStrides, T[] dst, int dstOffset, int[] dstStrides, int[] dims)
    {
        long total = 1;
        foreach (var d in dims) total *= d;
        if (total == 0) return;
        var (size, ss, ds) = Coalesce(dims, srcStrides, dstStrides);
        int rank = size.Length, inner = size[rank - 1], si = ss[rank - 1], di = ds[rank - 1];
        int rows = (int)(total / inner);
        Parallelism.For(rows, inner, (start, end) =>
        {
            // multi-index of row `start` over the outer dimensions, and the matching offsets
            Span<int> index = stackalloc int[rank];
            int so = srcOffset, dOff = dstOffset, rest = start;
            for (int d = rank - 2; d >= 0; d--)
            {
                index[d] = rest % size[d];
                rest /= size[d];
                so += index[d] * ss[d];
                dOff += index[d] * ds[d];
            }
            for (int row = start; row < end; row++)
            {
                if (si == 1 && di == 1) src.AsSpan(so, inner).CopyTo(dst.AsSpan(dOff, inner));
                else if (si == 0 && di == 1) dst.AsSpan(dOff, inner).Fill(src[so]);
                else for (int j = 0; j < inner; j++) dst[dOff + j * di] = src[so + j * si];
                for (int d = rank - 2; d >= 0; d--)
                {
                    so += ss[d];
                    dOff += ds[d];
                    if (++index[d] < size[d]) break;
                    so -= ss[d] * size[d];
                    dOff -= ds[d] * size[d];
                    index[d] = 0;
                }
            }
        });
    }

    /// <summary>Drops size-1 dimensions and merges neighbours that are contiguous in both layouts.</summary>
    internal static (int[] Dims, int[] Src, int[] Dst) Coalesce(int[] dims, int[] srcStrides, int[] dstStrides)
    {
        var size = new List<int>(dims.Length);
        var ss = new List<int>(dims.Length);
        var ds = new List<int>(dims.Length);
        for (int i = 0; i < dims.Length; i++)
        {
            int d = dims[i];
            if (d == 1) continue;
            int n = size.Count;
            if (n > 0 && ss[n - 1] == srcStrides[i] * d && ds[n - 1] == dstStrides[i] * d)
            {
                size[n - 1] *= d;
                ss[n - 1] = srcStrides[i];
                ds[n - 1] = dstStrides[i];
            }
            else
            {
                size.Add(d);
                ss.Add(srcStrides[i]);
                ds.Add(dstStrides[i]);
            }
        }
        if (size.Count == 0) { size.Add(1); ss.Add(0); ds.Add(0); }
        return ([.. size], [.. ss], [.. ds]);
    }

    /// <summary>Naive twin and test oracle: one element at a time, offsets recomputed from the full multi-index.</summary>
    internal static void RunNaive<T>(T[] src, int srcOffset, int[] srcStrides, T[] dst, int dstOffset, int[] dstStrides, int[] dims)
    {
        long total = 1;
        foreach (var d in dims) total *= d;
        var index = new int[dims.Length];
        for (long e = 0; e < total; e++)
        {
            long rest = e;
            int so = srcOffset, dOff = dstOffset;
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                index[d] = (int)(rest % dims[d]);
                rest /= dims[d];
                so += index[d] * srcStrides[d];
                dOff += index[d] * dstStrides[d];
            }
            dst[dOff] = src[so];
        }
    }
}
