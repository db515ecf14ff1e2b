using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Max pooling over [planes, H, W]. The forward pass is separable and vectorised: for each output row, the maximum
/// over the window's input rows in one SIMD pass (<see cref="RowMax"/>), then the windows along that row — 16 at a
/// time from even/odd lanes for stride-2 windows of 2 or 3 columns (<see cref="PoolMaxPairs"/>), else a SIMD stride-1
/// maximum picked at the stride (AVX2 machines: 8 at a time, <see cref="PoolMaxPairs256"/>); edge windows that the
/// padding clips are reduced tap by tap. On the stride-2 path the
/// full windows of a plane's rows skip the row buffer: their column maxima stay in registers, one call a plane
/// (<see cref="PoolMaxPairs.Rows"/>; isolated, one thread, 30–55 % less time than the buffer for SqueezeNet's and
/// Tiny Darknet's pools at batch 1). The backward pass finds each window's first maximum (row-major scan: the first
/// tap equal to the output) and routes the gradient there, so the forward pass keeps no index array; on the stride-2
/// path sixteen windows at once, with no index array at all (<see cref="PoolMaxPairsGradient"/>). Parallel over planes.
/// <see cref="PoolNaive"/> is the oracle.
/// </summary>
/// <remarks>y[p, r, s] = max_{i, j} x[p, r·sh − top + i·dh, s·sw − left + j·dw] over the taps inside the input
/// (padding never wins; NaN propagates). A window with no tap inside gives −∞ and no gradient.</remarks>
internal static class PoolMax
{
    /// <summary>Fills <paramref name="y"/> [planes, OH, OW] with the window maxima of <paramref name="x"/>.</summary>
    public static void Forward(float[] x, float[] y, PoolGeometry g) => Forward(x, y, g, 0, g.OutHeight * g.OutWidth, parallel: true);

    /// <summary>As above, plane p's [OH, OW] maxima written at y[<paramref name="yStart"/> + p·<paramref name="yPlaneStride"/>]
    /// (e.g. a band of output rows inside each plane of a larger output), in parallel over the planes or on the
    /// calling thread alone.</summary>
    public static void Forward(float[] x, float[] y, PoolGeometry g, long yStart, long yPlaneStride, bool parallel)
    {
        int oh = g.OutHeight, ow = g.OutWidth, w = g.InWidth, inPlane = g.InHeight * w, outPlane = oh * ow;
        if (yStart < 0 || yPlaneStride < outPlane || (g.Planes > 0 && yStart + (g.Planes - 1) * yPlaneStride + outPlane > y.LongLength))
            throw new ArgumentException($"PoolMax: {g.Planes} planes of [{oh}, {ow}] from {yStart} on, {yPlaneStride} apart, do not fit the {y.Length} floats of the output.");
        var rows = TapRanges(oh, g.InHeight, g.KernelHeight, g.StrideH, g.PadTop, g.DilationH);
        var cols = TapRanges(ow, w, g.KernelWidth, g.StrideW, g.PadLeft, g.DilationW);
        int kw = g.KernelWidth, sw = g.StrideW, dw = g.DilationW, left = g.PadLeft, dh = g.DilationH, sh = g.StrideH, top = g.PadTop;
        int fullWidth = w - (kw - 1) * dw;   // positions t whose whole window [t, t + (kw−1)·dw] lies in the row
        var (first, last) = FullWindows(cols, kw);
        bool pairs = PoolMaxPairs.Apply(g);
        bool fused = pairs && last > first;   // the full windows straight from the input rows
        bool fused256 = !pairs && last > first && PoolMaxPairs256.Apply(g);   // the same on AVX2 machines
        bool edges = first > 0 || last < ow;   // windows that the padding clips
        if (parallel) Parallelism.For(g.Planes, (long)(inPlane + outPlane) * g.KernelHeight, Range);
        else Range(0, g.Planes);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Range(int start, int end)
        {
            // the row maxima, with slack for the last pair loads, then the stride-1 window maxima
            var buffer = ArrayPool<float>.Shared.Rent(2 * w + PoolMaxPairs.Slack);
            var line = buffer.AsSpan(0, w);
            var windows = buffer.AsSpan(w + PoolMaxPairs.Slack, Math.Max(fullWidth, 0));
            Span<int> taps = g.KernelHeight <= 256 ? stackalloc int[g.KernelHeight] : new int[g.KernelHeight];
            for (int p = start; p < end; p++)
            {
                var input = x.AsSpan(p * inPlane);   // the plane and what follows it (the vector rows' loads may reach past the plane)
                var plane = y.AsSpan(checked((int)(yStart + p * yPlaneStride)), outPlane);
                int done = fused ? PoolMaxPairs.Rows(input, plane, rows, g, first, last)
                    : fused256 ? PoolMaxPairs256.Rows(input, plane, rows, g, first, last) : 0;
                for (int r = 0; r < oh; r++)
                {
                    var output = plane.Slice(r * ow, ow);
                    var (ilo, ihi) = rows[r];
                    if (ihi <= ilo) { output.Fill(float.NegativeInfinity); continue; }
                    bool direct = r < done;   // the full windows are done
                    if (direct && !edges) continue;
                    for (int i = ilo; i < ihi; i++) taps[i - ilo] = (r * sh - top + i * dh) * w;
                    var rowTaps = taps[..(ihi - ilo)];
                    if (!direct)
                    {
                        RowMax(input, rowTaps, line);
                        if (pairs) PoolMaxPairs.Maxima(buffer, first * 2 - left, kw, output[first..last]);
                        else if (fullWidth > 0)
                        {
                            line[..fullWidth].CopyTo(windows);
                            for (int j = 1; j < kw; j++) MaxInto(line.Slice(j * dw, fullWidth), windows);
                            for (int s = first; s < last; s++) output[s] = windows[s * sw - left];
                        }
                    }
                    for (int s = 0; s < ow; s++)
                    {
                        if (s == first) s = Math.Max(last, s);   // skip the full windows, done above
                        if (s >= ow) break;
                        var (jlo, jhi) = cols[s];
                        int col0 = s * sw - left;
                        float best = float.NegativeInfinity;
                        for (int j = jlo; j < jhi; j++) best = Max(best, direct ? ColumnMax(input, rowTaps, col0 + j * dw) : line[col0 + j * dw]);
                        output[s] = best;
                    }
                }
            }
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>The outputs [first, last) whose window lies wholly inside the row (a contiguous run; empty when none).</summary>
    private static (int First, int Last) FullWindows((int Lo, int Hi)[] cols, int kernel)
    {
        int first = 0;
        while (first < cols.Length && cols[first] != (0, kernel)) first++;
        int last = first;
        while (last < cols.Length && cols[last] == (0, kernel)) last++;
        return (first, last);
    }

    /// <summary>line[t] = max over the rows at <paramref name="taps"/> (offsets into <paramref name="input"/>) of
    /// input[tap + t], in tap order: one pass over the rows, the maximum kept in registers. A row that does not fill
    /// the last vector ends with one more vector that overlaps the previous (recomputing a few maxima), not a
    /// scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowMax(ReadOnlySpan<float> input, ReadOnlySpan<int> taps, Span<float> line)
    {
        int n = line.Length;
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float l = ref MemoryMarshal.GetReference(line);
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            for (int t = 0; ; t += Vector512<float>.Count)
            {
                t = Math.Min(t, n - Vector512<float>.Count);
                var m = Vector512.LoadUnsafe(ref x, (nuint)(taps[0] + t));
                for (int i = 1; i < taps.Length; i++) m = Max(m, Vector512.LoadUnsafe(ref x, (nuint)(taps[i] + t)));
                m.StoreUnsafe(ref l, (nuint)t);
                if (t == n - Vector512<float>.Count) return;
            }
        }
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            for (int t = 0; ; t += Vector256<float>.Count)
            {
                t = Math.Min(t, n - Vector256<float>.Count);
                var m = Vector256.LoadUnsafe(ref x, (nuint)(taps[0] + t));
                for (int i = 1; i < taps.Length; i++) m = Max(m, Vector256.LoadUnsafe(ref x, (nuint)(taps[i] + t)));
                m.StoreUnsafe(ref l, (nuint)t);
                if (t == n - Vector256<float>.Count) return;
            }
        }
        for (int t = 0; t < n; t++)
        {
            float m = input[taps[0] + t];
            for (int i = 1; i < taps.Length; i++) m = Max(m, input[taps[i] + t]);
            line[t] = m;
        }
    }

    /// <summary>The maximum over the rows at <paramref name="taps"/> of column <paramref name="column"/>, in tap order:
    /// bitwise the element of <see cref="RowMax"/>'s line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float ColumnMax(ReadOnlySpan<float> input, ReadOnlySpan<int> taps, int column)
    {
        float m = input[taps[0] + column];
        for (int i = 1; i < taps.Length; i++) m = Max(m, input[taps[i] + column]);
        return m;
    }

    /// <summary>max(a, b) as the SIMD loops take it: a when a is NaN, else the x86 <c>max</c> (b unless a &gt; b, so
    /// b when b is NaN). Every path reduces with this one operation, so results do not depend on where the SIMD
    /// part of a row ends; branch-free, since window maxima are unpredictable.</summary>
    internal static float Max(float a, float b) => Max(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar();

    private static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(Vector128.IsNaN(a), a, Vector128.MaxNative(a, b));

    // selecting the maximum where a is a number (rather than a where it is NaN) lets the JIT emit one merge-masked
    // vmaxps after the compare instead of a max and a blend
    internal static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(Vector512.Equals(a, a), Vector512.MaxNative(a, b), a);

    internal static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(Vector256.IsNaN(a), a, Vector256.MaxNative(a, b));

    /// <summary>target[i] = max(target[i], source[i]) (see <see cref="Max(float, float)"/>); an inline SIMD loop, since
    /// the rows are short and a library call per row would cost more than the work.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxInto(ReadOnlySpan<float> source, Span<float> target)
    {
        int n = target.Length, i = 0;
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float t = ref MemoryMarshal.GetReference(target);
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                Max(Vector512.LoadUnsafe(ref t, (nuint)i), Vector512.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref t, (nuint)i);
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                Max(Vector256.LoadUnsafe(ref t, (nuint)i), Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref t, (nuint)i);
        for (; i < n; i++) target[i] = Max(target[i], source[i]);
    }

    /// <summary>The offset within its input plane of each window's first maximum (−1 for a window with no tap):
    /// the first tap in row-major order equal to <paramref name="y"/> (or NaN where it is NaN). The backward pass of
    /// windows other than <see cref="PoolMaxPairsGradient"/>'s.</summary>
    public static void Argmax(float[] x, float[] y, int[] argmax, PoolGeometry g)
    {
        int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.InHeight * g.InWidth, outPlane = oh * ow;
        var rows = TapRanges(oh, g.InHeight, g.KernelHeight, g.StrideH, g.PadTop, g.DilationH);
        var cols = TapRanges(ow, g.InWidth, g.KernelWidth, g.StrideW, g.PadLeft, g.DilationW);
        Parallelism.For(g.Planes, (long)outPlane * g.KernelHeight * g.KernelWidth, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            for (int p = start; p < end; p++)
                for (int r = 0; r < oh; r++)
                    for (int s = 0; s < ow; s++)
                    {
                        int o = p * outPlane + r * ow + s;
                        argmax[o] = FirstMaximum(x.AsSpan(p * inPlane, inPlane), y[o], rows[r], cols[s], r * g.StrideH - g.PadTop, s * g.StrideW - g.PadLeft, g);
                    }
        });
    }

    /// <summary>Whether <see cref="Backward"/> writes every element of dx, which then need not be zeroed.</summary>
    public static bool OverwritesInputGradient(PoolGeometry g) => PoolMaxPairsGradient.Tiles(g);

    /// <summary>dx[p, first maximum of each window] += dy[p, ·] in output order (dx must be zero on entry unless
    /// <see cref="OverwritesInputGradient"/>). Stride-2 windows of 2 or 3 columns route it without an index array
    /// (<see cref="PoolMaxPairsGradient"/>, bitwise the same).</summary>
    public static void Backward(float[] dy, float[] x, float[] y, float[] dx, PoolGeometry g)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        if (PoolMaxPairs.Apply(g))
        {
            var rows = TapRanges(g.OutHeight, g.InHeight, g.KernelHeight, g.StrideH, g.PadTop, g.DilationH);
            var cols = TapRanges(g.OutWidth, g.InWidth, g.KernelWidth, g.StrideW, g.PadLeft, g.DilationW);
            var (first, last) = FullWindows(cols, g.KernelWidth);
            Parallelism.For(g.Planes, (long)outPlane * g.KernelHeight * g.KernelWidth, (start, end) =>
            {
                for (int p = start; p < end; p++)
                    PoolMaxPairsGradient.Plane(x.AsSpan(p * inPlane), y.AsSpan(p * outPlane, outPlane), dy.AsSpan(p * outPlane, outPlane),
                        dx.AsSpan(p * inPlane, inPlane), rows, cols, g, first, last);
            });
            return;
        }
        var argmax = ArrayPool<int>.Shared.Rent(y.Length);
        Argmax(x, y, argmax, g);
        Parallelism.For(g.Planes, outPlane, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                var target = dx.AsSpan(p * inPlane, inPlane);
                for (int o = p * outPlane; o < (p + 1) * outPlane; o++)
                    if (argmax[o] >= 0) target[argmax[o]] += dy[o];
            }
        });
        ArrayPool<int>.Shared.Return(argmax);
    }

    /// <summary>The first tap (row-major) of one window whose value is <paramref name="max"/>; −1 when none is.</summary>
    internal static int FirstMaximum(ReadOnlySpan<float> plane, float max, (int Lo, int Hi) rows, (int Lo, int Hi) cols, int row0, int col0, PoolGeometry g)
    {
        bool nan = float.IsNaN(max);
        for (int i = rows.Lo; i < rows.Hi; i++)
        {
            int line = (row0 + i * g.DilationH) * g.InWidth + col0;
            for (int j = cols.Lo; j < cols.Hi; j++)
            {
                int at = line + j * g.DilationW;
                float v = plane[at];
                if (v == max || (nan && float.IsNaN(v))) return at;
            }
        }
        return -1;
    }

    /// <summary>For each output position, the taps [lo, hi) whose input coordinate lies in [0, size).</summary>
    private static (int Lo, int Hi)[] TapRanges(int outSize, int inSize, int kernel, int stride, int pad, int dilation)
    {
        var ranges = new (int, int)[outSize];
        for (int o = 0; o < outSize; o++)
        {
            int start = o * stride - pad;
            int lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
            int hi = start >= inSize ? 0 : Math.Min(kernel, (inSize - 1 - start) / dilation + 1);
            ranges[o] = (Math.Min(lo, kernel), Math.Max(hi, Math.Min(lo, kernel)));
        }
        return ranges;
    }
}
