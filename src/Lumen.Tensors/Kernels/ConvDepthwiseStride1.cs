using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Register-blocked depthwise convolution for stride 1 (any dilation or padding, negative padding included): each
/// vector of 16 (or 8) outputs accumulates all kh·kw taps in a register before one store, and the weight gradient
/// keeps one vector accumulator per tap. Columns whose taps leave the input row run a bounds-checked scalar loop.
/// </summary>
/// <remarks>The stride-1 input gradient is this same forward pass on dy with the kernel flipped and padding
/// dh·(kh − 1) − top (etc.), which <see cref="ConvDepthwise"/> uses.</remarks>
internal static class ConvDepthwiseStride1
{
    /// <summary>True when the vector paths can run here.</summary>
    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    /// <summary>One plane: output [OH, OW] (overwritten) = depthwise conv of input [H, W] with filter [kh, kw].</summary>
    public static void ForwardPlane(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> filter, in ConvGeometry g)
    {
        if (UsePadded(g)) { ForwardPlanePadded(input, output, filter, g); return; }
        int kh = g.KernelHeight, kw = g.KernelWidth, ow = g.OutWidth, dw = g.DilationW, pl = g.PadLeft;
        var (lo, hi) = Interior(g);
        Span<int> rowAt = stackalloc int[kh];
        Span<int> tapRow = stackalloc int[kh];
        ref float x0 = ref MemoryMarshal.GetReference(input);
        ref float f0 = ref MemoryMarshal.GetReference(filter);
        for (int r = 0; r < g.OutHeight; r++)
        {
            int valid = ValidRows(g, r, rowAt, tapRow);
            ref float y0 = ref MemoryMarshal.GetReference(output.Slice(r * ow, ow));
            int s = lo;
            if (Vector512.IsHardwareAccelerated && hi - lo >= 16)
            {
                // the last vector may overlap the previous one: it recomputes (not adds) the same outputs
                for (; ; s += 16)
                {
                    if (s + 16 > hi) s = hi - 16;
                    var acc = Vector512<float>.Zero;
                    for (int v = 0; v < valid; v++)
                    {
                        int at = rowAt[v] + s - pl;
                        ref float wRow = ref Unsafe.Add(ref f0, tapRow[v] * kw);
                        for (int j = 0; j < kw; j++)
                            acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x0, (nuint)(at + j * dw)), Vector512.Create(Unsafe.Add(ref wRow, j)), acc);
                    }
                    acc.StoreUnsafe(ref y0, (nuint)s);
                    if (s + 16 >= hi) { s = hi; break; }
                }
            }
            else if (hi - lo >= 8)
            {
                for (; ; s += 8)
                {
                    if (s + 8 > hi) s = hi - 8;
                    var acc = Vector256<float>.Zero;
                    for (int v = 0; v < valid; v++)
                    {
                        int at = rowAt[v] + s - pl;
                        ref float wRow = ref Unsafe.Add(ref f0, tapRow[v] * kw);
                        for (int j = 0; j < kw; j++)
                            acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x0, (nuint)(at + j * dw)), Vector256.Create(Unsafe.Add(ref wRow, j)), acc);
                    }
                    acc.StoreUnsafe(ref y0, (nuint)s);
                    if (s + 8 >= hi) { s = hi; break; }
                }
            }
            var line = output.Slice(r * ow, ow);
            ScalarColumns(input, line, filter, g, rowAt, tapRow, valid, 0, s == lo ? ow : lo);
            if (s != lo) ScalarColumns(input, line, filter, g, rowAt, tapRow, valid, hi, ow);
        }
    }

    /// <summary>One plane's contribution to the filter gradient: grad[i, j] += Σ_{r, s} dy[r, s] · x[r − top + i·dh, s − left + j·dw].
    /// Kernel row by kernel row, so that the kw vector accumulators of that row stay in registers for 1 and 3 wide kernels.</summary>
    public static void WeightGradientPlane(ReadOnlySpan<float> input, ReadOnlySpan<float> dy, Span<float> grad, in ConvGeometry g)
    {
        int kw = g.KernelWidth, w = g.InWidth, ow = g.OutWidth, dw = g.DilationW, pl = g.PadLeft;
        var (lo, hi) = Interior(g);
        int vectorEnd = lo + (hi - lo) / 8 * 8;
        ref float x0 = ref MemoryMarshal.GetReference(input);
        ref float d0 = ref MemoryMarshal.GetReference(dy);
        Span<Vector256<float>> acc = stackalloc Vector256<float>[kw];
        for (int i = 0; i < g.KernelHeight; i++)
        {
            acc.Clear();
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            for (int r = 0; r < g.OutHeight; r++)
            {
                int ih = r - g.PadTop + i * g.DilationH;
                if (ih < 0 || ih >= g.InHeight) continue;
                int rowAt = ih * w, dyAt = r * ow;
                if (kw == 3)
                {
                    for (int s = lo; s < vectorEnd; s += 8)
                    {
                        var d = Vector256.LoadUnsafe(ref d0, (nuint)(dyAt + s));
                        int at = rowAt + s - pl;
                        a0 = Vector256.FusedMultiplyAdd(d, Vector256.LoadUnsafe(ref x0, (nuint)at), a0);
                        a1 = Vector256.FusedMultiplyAdd(d, Vector256.LoadUnsafe(ref x0, (nuint)(at + dw)), a1);
                        a2 = Vector256.FusedMultiplyAdd(d, Vector256.LoadUnsafe(ref x0, (nuint)(at + 2 * dw)), a2);
                    }
                }
                else
                {
                    for (int s = lo; s < vectorEnd; s += 8)
                    {
                        var d = Vector256.LoadUnsafe(ref d0, (nuint)(dyAt + s));
                        int at = rowAt + s - pl;
                        for (int j = 0; j < kw; j++) acc[j] = Vector256.FusedMultiplyAdd(d, Vector256.LoadUnsafe(ref x0, (nuint)(at + j * dw)), acc[j]);
                    }
                }
                // columns outside the vectorised interior, bounds-checked
                for (int s = 0; s < ow; s++)
                {
                    if (s == lo) s = vectorEnd;
                    if (s >= ow) break;
                    float dv = dy[dyAt + s];
                    for (int j = 0; j < kw; j++)
                    {
                        int iw = s - pl + j * dw;
                        if (iw >= 0 && iw < w) grad[i * kw + j] += dv * input[rowAt + iw];
                    }
                }
            }
            if (kw == 3)
            {
                acc[0] = a0;
                acc[1] = a1;
                acc[2] = a2;
            }
            for (int j = 0; j < kw; j++) grad[i * kw + j] += Vector256.Sum(acc[j]);
        }
    }

    /// <summary>Narrow planes (MobileNet's 7×7 and 14×14) have few or no interior columns for the vector loop, so
    /// they are copied into a zero-padded scratch plane and every output column runs vectorised.</summary>
    private static bool UsePadded(in ConvGeometry g) =>
        Vector512.IsHardwareAccelerated && g.OutWidth < NarrowWidth && g.KernelHeight * g.KernelWidth <= MaxPaddedTaps
        && g.PadTop >= 0 && g.PadLeft >= 0 && g.PadBottom >= 0 && g.PadRight >= 0;

    private const int NarrowWidth = 32;
    private const int MaxPaddedTaps = 64;

    [ThreadStatic] private static float[]? scratch;

    /// <summary>
    /// Forward of one plane through a zero-padded copy of width P = W + left + right: output row r, columns
    /// [s, s + 16) accumulate Σᵢⱼ w[i, j] · xp[(r + i·dh)·P + s + j·dw] in one register. Vectors that run past
    /// the row's last output column compute values that are never stored.
    /// </summary>
    private static void ForwardPlanePadded(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> filter, in ConvGeometry g)
    {
        int kh = g.KernelHeight, kw = g.KernelWidth, ow = g.OutWidth, dw = g.DilationW, dh = g.DilationH;
        int pitch = g.InWidth + g.PadLeft + g.PadRight, rows = g.InHeight + g.PadTop + g.PadBottom;
        int size = rows * pitch + 2 * Vector512<float>.Count;                             // slack for the last vector's reads
        if (scratch is null || scratch.Length < size) scratch = new float[Math.Max(size, 4096)];
        var padded = scratch.AsSpan(0, size);
        padded.Clear();
        for (int h = 0; h < g.InHeight; h++)
            input.Slice(h * g.InWidth, g.InWidth).CopyTo(padded.Slice((h + g.PadTop) * pitch + g.PadLeft));
        Span<Vector512<float>> taps = stackalloc Vector512<float>[kh * kw];
        for (int t = 0; t < taps.Length; t++) taps[t] = Vector512.Create(filter[t]);
        Span<float> line = stackalloc float[(ow + 15) / 16 * 16];
        ref float x0 = ref MemoryMarshal.GetReference(padded);
        for (int r = 0; r < g.OutHeight; r++)
        {
            for (int s = 0; s < ow; s += 16)
            {
                var acc = Vector512<float>.Zero;
                for (int i = 0; i < kh; i++)
                {
                    int at = (r + i * dh) * pitch + s;
                    for (int j = 0; j < kw; j++)
                        acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x0, (nuint)(at + j * dw)), taps[i * kw + j], acc);
                }
                acc.CopyTo(line.Slice(s));
            }
            line[..ow].CopyTo(output.Slice(r * ow, ow));
        }
    }

    // Output columns [lo, hi) whose every tap lies inside the input row.
    private static (int Lo, int Hi) Interior(in ConvGeometry g)
    {
        int lo = 0, hi = g.OutWidth;
        for (int j = 0; j < g.KernelWidth; j++)
        {
            var (a, b) = ConvGeometry.ValidRange(g.OutWidth, g.InWidth, 1, g.PadLeft, j * g.DilationW);
            lo = Math.Max(lo, a);
            hi = Math.Min(hi, b);
        }
        return hi > lo ? (lo, hi) : (0, 0);
    }

    // The kernel rows i that land inside the input for output row r: their input row offsets and indices.
    private static int ValidRows(in ConvGeometry g, int r, Span<int> rowAt, Span<int> tapRow)
    {
        int valid = 0;
        for (int i = 0; i < g.KernelHeight; i++)
        {
            int ih = r - g.PadTop + i * g.DilationH;
            if (ih < 0 || ih >= g.InHeight) continue;
            rowAt[valid] = ih * g.InWidth;
            tapRow[valid++] = i;
        }
        return valid;
    }

    private static void ScalarColumns(ReadOnlySpan<float> input, Span<float> line, ReadOnlySpan<float> filter, in ConvGeometry g,
        ReadOnlySpan<int> rowAt, ReadOnlySpan<int> tapRow, int valid, int from, int to)
    {
        int kw = g.KernelWidth;
        for (int s = from; s < to; s++)
        {
            float acc = 0;
            for (int v = 0; v < valid; v++)
                for (int j = 0; j < kw; j++)
                {
                    int iw = s - g.PadLeft + j * g.DilationW;
                    if (iw >= 0 && iw < g.InWidth) acc += filter[tapRow[v] * kw + j] * input[rowAt[v] + iw];
                }
            line[s] = acc;
        }
    }
}
