using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Copies a block of elements between two strided layouts: for every multi-index i in <c>dims</c>,
/// <c>dst[dstOffset + Σ i_d·dstStrides_d] = src[srcOffset + Σ i_d·srcStrides_d]</c>. Strides may be negative
/// (flips, negative slice steps) or zero on the source side (broadcasts). This one kernel moves the data of
/// Permute, Transpose, Slice, Flip, Concat and Pad.
/// </summary>
/// <remarks>Dimensions of size 1 are dropped and adjacent dimensions that are contiguous in both layouts are
/// merged, so the innermost loop is as long as possible; when it is unit-stride on both sides it is a block
/// copy (<see cref="Span{T}.CopyTo"/>). Rows are split across <see cref="Parallelism.MaxDegree"/> threads, and a
/// single contiguous row into equal pieces.</remarks>
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
        int across = Array.IndexOf(ss, 1);
        if (di == 1 && si != 1 && across >= 0 && size[across] >= Tile && inner >= Tile)
        {
            Transposed(src, srcOffset, dst, dstOffset, size, ss, ds, across);
            return;
        }
        int rows = (int)(total / inner);
        if (rows == 1 && si == 1 && di == 1)
        {
            // one contiguous block (a batch-1 slice, pad or concatenation gradient): split it across the threads
            Parallelism.For(inner, 1, (start, end) => src.AsSpan(srcOffset + start, end - start).CopyTo(dst.AsSpan(dstOffset + start, end - start)));
            return;
        }
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
                else if (si == -1 && di == 1)
                {
                    var run = dst.AsSpan(dOff, inner);
                    src.AsSpan(so - inner + 1, inner).CopyTo(run);
                    run.Reverse(); // a flipped run: block copy, then an in-place (vectorised) reversal
                }
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

    /// <summary>Edge of the square tiles of <see cref="Transposed"/>.</summary>
    private const int Tile = 32;

    /// <summary>
    /// The transposing case: the destination's innermost dimension is strided in the source while another
    /// dimension (<paramref name="across"/>) is contiguous there. Copying Tile×Tile blocks keeps the Tile source
    /// lines being read in L1 instead of touching a new cache line (and page) for every element.
    /// </summary>
    private static void Transposed<T>(T[] src, int srcOffset, T[] dst, int dstOffset, int[] size, int[] ss, int[] ds, int across)
    {
        int rank = size.Length, last = rank - 1, inner = size[last], rows = size[across];
        int srcStep = ss[last], dstRow = ds[across];
        int rowTiles = (rows + Tile - 1) / Tile;
        int outer = 1;
        for (int d = 0; d < last; d++) if (d != across) outer *= size[d];
        Parallelism.For(outer * rowTiles, (long)Tile * inner, (start, end) =>
        {
            for (int item = start; item < end; item++)
            {
                // offsets of outer index item / rowTiles over every dimension but `across` and the last
                int so = srcOffset, dOff = dstOffset, rest = item / rowTiles;
                for (int d = last - 1; d >= 0; d--)
                {
                    if (d == across) continue;
                    int i = rest % size[d];
                    rest /= size[d];
                    so += i * ss[d];
                    dOff += i * ds[d];
                }
                int r0 = item % rowTiles * Tile, r1 = Math.Min(r0 + Tile, rows);
                for (int c0 = 0; c0 < inner; c0 += Tile)
                {
                    int c1 = Math.Min(c0 + Tile, inner);
                    int r = r0;
                    if (typeof(T) == typeof(float) && Avx.IsSupported)
                    {
                        // full 8×8 blocks through registers: 8 source lines in flight, not 32
                        ref float s0 = ref Unsafe.As<T, float>(ref MemoryMarshal.GetArrayDataReference(src));
                        ref float d0 = ref Unsafe.As<T, float>(ref MemoryMarshal.GetArrayDataReference(dst));
                        for (; r + 8 <= r1; r += 8)
                        {
                            int c = c0;
                            for (; c + 8 <= c1; c += 8)
                                Transpose8x8(ref Unsafe.Add(ref s0, so + r + c * srcStep), srcStep, ref Unsafe.Add(ref d0, dOff + r * dstRow + c), dstRow);
                            for (; c < c1; c++)
                                for (int k = r; k < r + 8; k++) dst[dOff + k * dstRow + c] = src[so + k + c * srcStep];
                        }
                    }
                    for (; r < r1; r++)
                    {
                        int from = so + r + c0 * srcStep, to = dOff + r * dstRow;
                        for (int c = c0; c < c1; c++, from += srcStep) dst[to + c] = src[from];
                    }
                }
            }
        });
    }

    /// <summary>dst[r·dstRow + c] = src[r + c·srcStep] for r, c in 0..7: eight 8-float loads, an in-register
    /// transpose (unpack, shuffle, 128-bit lane swap), eight stores.</summary>
    private static void Transpose8x8(ref float src, int srcStep, ref float dst, int dstRow)
    {
        var a0 = Load(ref src, 0); // source line c = 0: elements r = 0..7
        var a1 = Load(ref src, srcStep);
        var a2 = Load(ref src, 2 * srcStep);
        var a3 = Load(ref src, 3 * srcStep);
        var a4 = Load(ref src, 4 * srcStep);
        var a5 = Load(ref src, 5 * srcStep);
        var a6 = Load(ref src, 6 * srcStep);
        var a7 = Load(ref src, 7 * srcStep);
        Vector256<float> t0 = Avx.UnpackLow(a0, a1), t1 = Avx.UnpackHigh(a0, a1), t2 = Avx.UnpackLow(a2, a3), t3 = Avx.UnpackHigh(a2, a3);
        Vector256<float> t4 = Avx.UnpackLow(a4, a5), t5 = Avx.UnpackHigh(a4, a5), t6 = Avx.UnpackLow(a6, a7), t7 = Avx.UnpackHigh(a6, a7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Store(Avx.Permute2x128(u0, u4, 0x20), ref dst, 0);
        Store(Avx.Permute2x128(u1, u5, 0x20), ref dst, dstRow);
        Store(Avx.Permute2x128(u2, u6, 0x20), ref dst, 2 * dstRow);
        Store(Avx.Permute2x128(u3, u7, 0x20), ref dst, 3 * dstRow);
        Store(Avx.Permute2x128(u0, u4, 0x31), ref dst, 4 * dstRow);
        Store(Avx.Permute2x128(u1, u5, 0x31), ref dst, 5 * dstRow);
        Store(Avx.Permute2x128(u2, u6, 0x31), ref dst, 6 * dstRow);
        Store(Avx.Permute2x128(u3, u7, 0x31), ref dst, 7 * dstRow);
    }

    private static Vector256<float> Load(ref float origin, int offset) => Vector256.LoadUnsafe(ref Unsafe.Add(ref origin, offset));

    private static void Store(Vector256<float> value, ref float origin, int offset) => value.StoreUnsafe(ref Unsafe.Add(ref origin, offset));

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
