using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The im2col lowering of a convolution and its adjoint (col2im), for a band of output rows of one image and one
/// group. The column matrix is [Cg·kh·kw, rows·OW]: row (c·kh + i)·kw + j holds, for every output position in the
/// band, the input value under tap (i, j) of channel c (zero in the padding). Then output = W[Og, K] · cols.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="cols"/> [K, rows·OW] from <paramref name="x"/>, the group's channels [Cg, H, W],
    /// for output rows [row0, row0 + rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fill(ReadOnlySpan<float> x, Span<float> cols, in ConvGeometry g, int row0, int rows)
    {
        int ow = g.OutWidth, width = rows * ow;
        for (int c = 0; c < g.InPerGroup; c++)
        {
            var plane = x.Slice(c * g.InPlane, g.InPlane);
            for (int i = 0; i < g.KernelHeight; i++)
                for (int j = 0; j < g.KernelWidth; j++)
                {
                    var dst = cols.Slice(((c * g.KernelHeight + i) * g.KernelWidth + j) * width, width);
                    var (lo, hi) = ConvGeometry.ValidRange(ow, g.InWidth, g.StrideW, g.PadLeft, j * g.DilationW);
                    int colOffset = j * g.DilationW - g.PadLeft;
                    for (int r = 0; r < rows; r++)
                    {
                        var line = dst.Slice(r * ow, ow);
                        int ih = (row0 + r) * g.StrideH - g.PadTop + i * g.DilationH;
                        if (ih < 0 || ih >= g.InHeight || lo >= hi) { line.Clear(); continue; }
                        line[..lo].Clear();
                        line[hi..].Clear();
                        var src = plane.Slice(ih * g.InWidth, g.InWidth);
                        if (g.StrideW == 1) src.Slice(lo + colOffset, hi - lo).CopyTo(line[lo..hi]);
                        else for (int s = lo; s < hi; s++) line[s] = src[s * g.StrideW + colOffset];
                    }
                }
        }
    }

    /// <summary>As <see cref="Fill"/>, but writes the column matrix [K, rows·OW] straight into the packed-B panels
    /// that <see cref="Gemm.MultiplyPackedB"/> reads (depth blocks of <paramref name="depthBlock"/> rows, panels of
    /// <paramref name="nr"/> columns, a power of two, zeros past the band's last column), so that the GEMM does not
    /// copy it again. <paramref name="packed"/> needs K·⌈rows·OW⌉ floats (rows·OW rounded up to <paramref name="nr"/>).</summary>
    public static void FillPacked(ReadOnlySpan<float> x, Span<float> packed, in ConvGeometry g, int row0, int rows, int depthBlock, int nr)
        => FillPackedChannels(x, packed, g, row0, rows, depthBlock, nr, 0, g.InPerGroup);

    /// <summary>As <see cref="FillPacked"/> for the packed rows of channels [<paramref name="firstChannel"/>, <paramref name="endChannel"/>)
    /// only (rows c·kh·kw to (c + 1)·kh·kw − 1 of channel c): threads that take disjoint channel ranges fill one
    /// band's panels together.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void FillPackedChannels(ReadOnlySpan<float> x, Span<float> packed, in ConvGeometry g, int row0, int rows, int depthBlock, int nr,
        int firstChannel, int endChannel)
    {
        int ow = g.OutWidth, width = rows * ow, padded = (width + nr - 1) / nr * nr, k = g.ColumnRows;
        if ((nr & (nr - 1)) != 0 || depthBlock < 1)
            throw new ArgumentOutOfRangeException(nameof(nr), $"Im2Col: panels of {nr} columns (a power of two) and depth blocks of {depthBlock} rows cannot be laid out.");
        if (packed.Length < (long)padded * k)
            throw new ArgumentException($"Im2Col: {packed.Length} floats are too few for {k} packed rows of {padded} columns.", nameof(packed));
        if (x.Length < (long)g.InPerGroup * g.InPlane)
            throw new ArgumentException($"Im2Col: the input has {x.Length} floats, fewer than {g.InPerGroup} planes of {g.InPlane}.", nameof(x));
        if (firstChannel < 0 || endChannel > g.InPerGroup || firstChannel > endChannel)
            throw new ArgumentOutOfRangeException(nameof(firstChannel), $"Im2Col: channels [{firstChannel}, {endChannel}) are not within the group's {g.InPerGroup}.");
        float* gathered = stackalloc float[g.StrideW == 1 ? 1 : Math.Min(ow, 1024)];
        // stride 1 with an output as wide as the input ("same" padding): a tap's columns over the whole band are one
        // run of the input plane, with zeros to put back where the window leaves a row
        bool contiguous = g.StrideW == 1 && g.StrideH == 1 && ow == g.InWidth;
        fixed (float* input = x, dst = packed)
            for (int c = firstChannel; c < endChannel; c++)
            {
                float* plane = input + (nint)c * g.InPlane;
                for (int i = 0; i < g.KernelHeight; i++)
                    for (int j = 0; j < g.KernelWidth; j++)
                    {
                        int row = (c * g.KernelHeight + i) * g.KernelWidth + j, pc = row / depthBlock * depthBlock;
                        var step = new PanelRow(dst + (nint)pc * padded + (nint)(row - pc) * nr, Math.Min(depthBlock, k - pc), nr);
                        var (lo, hi) = ConvGeometry.ValidRange(ow, g.InWidth, g.StrideW, g.PadLeft, j * g.DilationW);
                        int colOffset = j * g.DilationW - g.PadLeft;
                        if (contiguous) Run(step, plane, g, row0, rows, i, lo, hi, colOffset);
                        else for (int r = 0; r < rows; r++)
                        {
                            int ih = (row0 + r) * g.StrideH - g.PadTop + i * g.DilationH, start = r * ow;
                            if (ih < 0 || ih >= g.InHeight || lo >= hi) { step.Write(start, ow, null); continue; }
                            step.Write(start, lo, null);
                            float* src = plane + (nint)ih * g.InWidth;
                            if (g.StrideW == 1) step.Write(start + lo, hi - lo, src + lo + colOffset);
                            else
                            {
                                // gather the strided taps in pieces the scratch holds
                                for (int s0 = lo; s0 < hi; s0 += 1024)
                                {
                                    int end = Math.Min(hi, s0 + 1024), at = s0 * g.StrideW + colOffset;
                                    if (g.StrideW == 2) EveryOther(src + at, end - s0, g.InWidth - at, gathered);
                                    else for (int s = s0; s < end; s++) gathered[s - s0] = src[s * g.StrideW + colOffset];
                                    step.Write(start + s0, end - s0, gathered);
                                }
                            }
                            step.Write(start + hi, ow - hi, null);
                        }
                        step.Write(width, padded - width, null);
                    }
            }
    }

    /// <summary>One tap's packed row over a band when the output is as wide as the input and both strides are 1: output
    /// column d = r·OW + s of the band reads input d + shift, so the rows that fall inside the input are one copy; then
    /// the padding columns between them (those outside [<paramref name="lo"/>, <paramref name="hi"/>) of each row) and
    /// the rows outside the input are zeros.</summary>
    private static unsafe void Run(in PanelRow step, float* plane, in ConvGeometry g, int row0, int rows, int i, int lo, int hi, int colOffset)
    {
        int ow = g.OutWidth, width = rows * ow, shift = i * g.DilationH - g.PadTop;
        int first = Math.Clamp(-shift - row0, 0, rows), end = Math.Clamp(g.InHeight - shift - row0, first, rows);   // rows inside the input
        if (first == end || lo >= hi)
        {
            step.Write(0, width, null);
            return;
        }
        int start = first * ow + lo, stop = (end - 1) * ow + hi;
        step.Write(0, start, null);
        step.Write(start, stop - start, plane + (nint)(row0 + first + shift) * g.InWidth + lo + colOffset);
        for (int r = first; r + 1 < end; r++) step.Write(r * ow + hi, ow - hi + lo, null);
        step.Write(stop, width - stop, null);
    }

    /// <summary>target[k] = source[2k] for k &lt; <paramref name="count"/> (the taps of a stride-2 row): 16 at a time
    /// from 32 loaded columns by one AVX-512 two-source permute (AVX2: 8 from 16 by two permutes and a lane join)
    /// while those lie within the <paramref name="readable"/> floats from <paramref name="source"/>, the rest one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void EveryOther(float* source, int count, int readable, float* target)
    {
        int k = 0;
        if (Avx512F.IsSupported)
        {
            var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            for (; k + 16 <= count && 2 * k + 32 <= readable; k += 16)
                Avx512F.PermuteVar16x32x2(Vector512.Load(source + 2 * k), evens, Vector512.Load(source + 2 * k + 16)).Store(target + k);
        }
        else if (Avx2.IsSupported)
        {
            // AVX2: the even lanes of each 8-column half gathered into its low 128 bits, then the two low halves joined
            var evens = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
            for (; k + 8 <= count && 2 * k + 16 <= readable; k += 8)
            {
                var low = Avx2.PermuteVar8x32(Vector256.Load(source + 2 * k), evens);
                var high = Avx2.PermuteVar8x32(Vector256.Load(source + 2 * k + 8), evens);
                Avx.Permute2x128(low, high, 0x20).Store(target + k);
            }
        }
        for (; k < count; k++) target[k] = source[2 * k];
    }

    /// <summary>One row (depth step) of a packed-B depth block of <paramref name="kc"/> steps: column j at
    /// (j − j mod nr)·kc + j mod nr from <paramref name="start"/> (nr a power of two).</summary>
    private readonly unsafe struct PanelRow(float* start, int kc, int nr)
    {
        /// <summary>Copies <paramref name="count"/> values from <paramref name="values"/> (zeros when null) to columns
        /// [col, col + count), panel by panel.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Write(int col, int count, float* values)
        {
            int mask = nr - 1;
            while (count > 0)
            {
                int lane = col & mask, chunk = Math.Min(nr - lane, count);
                float* target = start + (nint)(col - lane) * kc + lane;
                int t = 0;
                if (values == null)
                {
                    for (; t + 8 <= chunk; t += 8) Vector256<float>.Zero.Store(target + t);
                    for (; t < chunk; t++) target[t] = 0;
                }
                else
                {
                    for (; t + 8 <= chunk; t += 8) Vector256.Load(values + t).Store(target + t);
                    for (; t < chunk; t++) target[t] = values[t];
                    values += chunk;
                }
                col += chunk;
                count -= chunk;
            }
        }
    }

    /// <summary>col2im: adds each entry of <paramref name="cols"/> [K, rows·OW] back onto the input position it was
    /// read from in <paramref name="dx"/> [Cg, H, W] — the adjoint of <see cref="Fill"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBack(ReadOnlySpan<float> cols, Span<float> dx, in ConvGeometry g, int row0, int rows)
    {
        int ow = g.OutWidth, width = rows * ow;
        for (int c = 0; c < g.InPerGroup; c++)
        {
            var plane = dx.Slice(c * g.InPlane, g.InPlane);
            for (int i = 0; i < g.KernelHeight; i++)
                for (int j = 0; j < g.KernelWidth; j++)
                {
                    var src = cols.Slice(((c * g.KernelHeight + i) * g.KernelWidth + j) * width, width);
                    var (lo, hi) = ConvGeometry.ValidRange(ow, g.InWidth, g.StrideW, g.PadLeft, j * g.DilationW);
                    if (lo >= hi) continue;
                    int colOffset = j * g.DilationW - g.PadLeft;
                    for (int r = 0; r < rows; r++)
                    {
                        int ih = (row0 + r) * g.StrideH - g.PadTop + i * g.DilationH;
                        if (ih < 0 || ih >= g.InHeight) continue;
                        var line = src.Slice(r * ow, ow);
                        var dst = plane.Slice(ih * g.InWidth, g.InWidth);
                        if (g.StrideW == 1)
                        {
                            var d = dst.Slice(lo + colOffset, hi - lo);
                            TensorPrimitives.Add(d, line[lo..hi], d);
                        }
                        else if (g.StrideW == 2) AddEveryOther(line[lo..hi], dst[(2 * lo + colOffset)..]);
                        else for (int s = lo; s < hi; s++) dst[s * g.StrideW + colOffset] += line[s];
                    }
                }
        }
    }

    /// <summary>d[2k] += v[k] for every k of <paramref name="v"/> (the stride-2 rows of col2im: MobileNetV2's first
    /// convolution spent 1.4 % of an Integrated Gradients call in the scalar loop): 16 values a step, spread to the even
    /// lanes of two vectors by permutes, loaded, added and stored under masks of the even lanes alone, so every other
    /// element of d is neither read nor written (another thread may own it) and each written one gets the scalar loop's
    /// single addition — the same bits. Without AVX-512, the scalar loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void AddEveryOther(ReadOnlySpan<float> v, Span<float> d)
    {
        int n = v.Length;
        if (n == 0) return;
        if (d.Length < 2 * n - 1)
            throw new ArgumentException($"Im2Col: {n} values spread over every other element need {2 * n - 1}, not {d.Length}.", nameof(d));
        if (!Avx512F.IsSupported)
        {
            for (int k = 0; k < n; k++) d[2 * k] += v[k];
            return;
        }
        var low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var high = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        var even = Vector512.Equals(Vector512<int>.Indices & Vector512<int>.One, Vector512<int>.Zero);
        fixed (float* vs = v, ds = d)
            for (int k = 0; k < n; k += 16)
            {
                int count = Math.Min(16, n - k);
                var values = Avx512F.MaskLoad(vs + k, DepthwiseConv3x3.Inside(0, count), Vector512<float>.Zero);
                // lanes 2m of the 32 elements from d + 2k, for m < count (the last may end inside the first vector)
                var first = (even & Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(2 * count))).AsSingle();
                var second = (even & Vector512.LessThan(Vector512<int>.Indices + Vector512.Create(16), Vector512.Create(2 * count))).AsSingle();
                float* at = ds + 2 * k;
                Avx512F.MaskStore(at, first, Avx512F.MaskLoad(at, first, Vector512<float>.Zero) + Avx512F.PermuteVar16x32x2(values, low, Vector512<float>.Zero));
                Avx512F.MaskStore(at + 16, second, Avx512F.MaskLoad(at + 16, second, Vector512<float>.Zero) + Avx512F.PermuteVar16x32x2(values, high, Vector512<float>.Zero));
            }
    }
}
