using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The 3×3, stride-1, undilated depthwise convolution of MobileNet-style networks (and, with the kernel flipped, the
/// input gradient of every stride-1 depthwise layer), register-blocked: the nine weights stay in registers and four
/// output rows are computed together, so each input vector is loaded once for up to three of them — about 4.5 loads
/// per 16 outputs instead of 18, which is what bounded the general kernel.
/// </summary>
/// <remarks>The plane is first copied into a zero-padded scratch plane, so every output column runs vectorised.
/// Each output accumulates its taps in the general kernel's order (kernel row by row, column by column, from zero),
/// so the values equal it except that a zero tap may turn a −0 sum into +0.</remarks>
internal static class DepthwiseConv3x3
{
    /// <summary>Output rows computed together.</summary>
    private const int Block = 4;

    [ThreadStatic] private static float[]? scratch;

    /// <summary>True for 3×3 kernels with stride 1, dilation 1 and non-negative padding on AVX-512 hardware.</summary>
    public static bool Applies(in ConvGeometry g) =>
        Vector512.IsHardwareAccelerated && g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideH == 1 && g.StrideW == 1
        && g.DilationH == 1 && g.DilationW == 1 && g.PadTop >= 0 && g.PadLeft >= 0 && g.PadBottom >= 0 && g.PadRight >= 0;

    /// <summary>output [OH, OW] (overwritten) = depthwise conv of input [H, W] with filter [3, 3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void ForwardPlane(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> filter, in ConvGeometry g)
    {
        int ow = g.OutWidth, oh = g.OutHeight;
        int pitch = (g.InWidth + g.PadLeft + g.PadRight + 15) / 16 * 16 + 16;     // room for the last vector's reads
        int rows = g.InHeight + g.PadTop + g.PadBottom;
        int size = rows * pitch + 16;
        if (scratch is null || scratch.Length < size) scratch = GC.AllocateUninitializedArray<float>(Math.Max(size, 4096), pinned: true);
        var padded = scratch.AsSpan(0, size);
        padded[..(g.PadTop * pitch)].Clear();
        for (int h = 0; h < g.InHeight; h++)
        {
            var row = padded.Slice((h + g.PadTop) * pitch, pitch);
            row[..g.PadLeft].Clear();
            input.Slice(h * g.InWidth, g.InWidth).CopyTo(row[g.PadLeft..]);
            row[(g.PadLeft + g.InWidth)..].Clear();
        }
        padded[((g.InHeight + g.PadTop) * pitch)..].Clear();
        var w0 = Vector512.Create(filter[0]); var w1 = Vector512.Create(filter[1]); var w2 = Vector512.Create(filter[2]);
        var w3 = Vector512.Create(filter[3]); var w4 = Vector512.Create(filter[4]); var w5 = Vector512.Create(filter[5]);
        var w6 = Vector512.Create(filter[6]); var w7 = Vector512.Create(filter[7]); var w8 = Vector512.Create(filter[8]);
        float* tail = stackalloc float[16];
        fixed (float* xp = padded, y = output)
        {
            int r = 0;
            for (; r + Block <= oh; r += Block)
            {
                for (int s = 0; s < ow; s += 16)
                {
                    float* q = xp + r * pitch + s;
                    var x0 = Vector512.Load(q); var x1 = Vector512.Load(q + 1); var x2 = Vector512.Load(q + 2);
                    var a0 = Vector512.FusedMultiplyAdd(x2, w2, Vector512.FusedMultiplyAdd(x1, w1, x0 * w0));
                    q += pitch;
                    x0 = Vector512.Load(q); x1 = Vector512.Load(q + 1); x2 = Vector512.Load(q + 2);
                    a0 = Vector512.FusedMultiplyAdd(x2, w5, Vector512.FusedMultiplyAdd(x1, w4, Vector512.FusedMultiplyAdd(x0, w3, a0)));
                    var a1 = Vector512.FusedMultiplyAdd(x2, w2, Vector512.FusedMultiplyAdd(x1, w1, x0 * w0));
                    q += pitch;
                    x0 = Vector512.Load(q); x1 = Vector512.Load(q + 1); x2 = Vector512.Load(q + 2);
                    a0 = Vector512.FusedMultiplyAdd(x2, w8, Vector512.FusedMultiplyAdd(x1, w7, Vector512.FusedMultiplyAdd(x0, w6, a0)));
                    a1 = Vector512.FusedMultiplyAdd(x2, w5, Vector512.FusedMultiplyAdd(x1, w4, Vector512.FusedMultiplyAdd(x0, w3, a1)));
                    var a2 = Vector512.FusedMultiplyAdd(x2, w2, Vector512.FusedMultiplyAdd(x1, w1, x0 * w0));
                    q += pitch;
                    x0 = Vector512.Load(q); x1 = Vector512.Load(q + 1); x2 = Vector512.Load(q + 2);
                    a1 = Vector512.FusedMultiplyAdd(x2, w8, Vector512.FusedMultiplyAdd(x1, w7, Vector512.FusedMultiplyAdd(x0, w6, a1)));
                    a2 = Vector512.FusedMultiplyAdd(x2, w5, Vector512.FusedMultiplyAdd(x1, w4, Vector512.FusedMultiplyAdd(x0, w3, a2)));
                    var a3 = Vector512.FusedMultiplyAdd(x2, w2, Vector512.FusedMultiplyAdd(x1, w1, x0 * w0));
                    q += pitch;
                    x0 = Vector512.Load(q); x1 = Vector512.Load(q + 1); x2 = Vector512.Load(q + 2);
                    a2 = Vector512.FusedMultiplyAdd(x2, w8, Vector512.FusedMultiplyAdd(x1, w7, Vector512.FusedMultiplyAdd(x0, w6, a2)));
                    a3 = Vector512.FusedMultiplyAdd(x2, w5, Vector512.FusedMultiplyAdd(x1, w4, Vector512.FusedMultiplyAdd(x0, w3, a3)));
                    q += pitch;
                    x0 = Vector512.Load(q); x1 = Vector512.Load(q + 1); x2 = Vector512.Load(q + 2);
                    a3 = Vector512.FusedMultiplyAdd(x2, w8, Vector512.FusedMultiplyAdd(x1, w7, Vector512.FusedMultiplyAdd(x0, w6, a3)));
                    float* target = y + r * ow + s;
                    Store(a0, target, ow - s, tail);
                    Store(a1, target + ow, ow - s, tail);
                    Store(a2, target + 2 * ow, ow - s, tail);
                    Store(a3, target + 3 * ow, ow - s, tail);
                }
            }
            for (; r < oh; r++)
            {
                for (int s = 0; s < ow; s += 16)
                {
                    float* q = xp + r * pitch + s;
                    var a = Vector512.FusedMultiplyAdd(Vector512.Load(q + 2), w2, Vector512.FusedMultiplyAdd(Vector512.Load(q + 1), w1, Vector512.Load(q) * w0));
                    q += pitch;
                    a = Vector512.FusedMultiplyAdd(Vector512.Load(q + 2), w5, Vector512.FusedMultiplyAdd(Vector512.Load(q + 1), w4, Vector512.FusedMultiplyAdd(Vector512.Load(q), w3, a)));
                    q += pitch;
                    a = Vector512.FusedMultiplyAdd(Vector512.Load(q + 2), w8, Vector512.FusedMultiplyAdd(Vector512.Load(q + 1), w7, Vector512.FusedMultiplyAdd(Vector512.Load(q), w6, a)));
                    Store(a, y + r * ow + s, ow - s, tail);
                }
            }
        }
    }

    /// <summary>True for 3×3 kernels with stride 2, dilation 1 and non-negative padding on AVX-512 hardware.</summary>
    public static bool AppliesStride2(in ConvGeometry g) =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported && g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideH == 2 && g.StrideW == 2
        && g.DilationH == 1 && g.DilationW == 1 && g.PadTop >= 0 && g.PadLeft >= 0 && g.PadBottom >= 0 && g.PadRight >= 0;

    /// <summary>
    /// output [OH, OW] (overwritten) = the stride-2 depthwise conv of input [H, W] with filter [3, 3]: each zero-padded
    /// input row is split into its even and odd columns, so that taps j = 0, 1, 2 of output column s read even[s],
    /// odd[s] and even[s + 1], contiguous vectors; two output rows share their middle input row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void ForwardPlaneStride2(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> filter, in ConvGeometry g)
    {
        int ow = g.OutWidth, oh = g.OutHeight;
        int half = (ow + 17 + 15) / 16 * 16;                  // phase row length: output columns + one tap + a vector of slack
        int rows = 2 * oh + 1;                                // padded input rows read
        int size = rows * 2 * half + 2 * half;
        if (scratch is null || scratch.Length < size) scratch = GC.AllocateUninitializedArray<float>(Math.Max(size, 4096), pinned: true);
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        var w0 = Vector512.Create(filter[0]); var w1 = Vector512.Create(filter[1]); var w2 = Vector512.Create(filter[2]);
        var w3 = Vector512.Create(filter[3]); var w4 = Vector512.Create(filter[4]); var w5 = Vector512.Create(filter[5]);
        var w6 = Vector512.Create(filter[6]); var w7 = Vector512.Create(filter[7]); var w8 = Vector512.Create(filter[8]);
        float* tail = stackalloc float[16];
        fixed (float* phases = scratch, x = input, y = output)
        {
            // padded row q → even phase at phases + q·2·half, odd phase half further on; the last 2·half floats are a
            // scratch line holding the zero-padded row before it is split
            float* line = phases + rows * 2 * half;
            for (int q = 0; q < rows; q++)
            {
                int h = q - g.PadTop;
                float* even = phases + q * 2 * half, odd = even + half;
                var padded = new Span<float>(line, 2 * half);
                if (h >= 0 && h < g.InHeight)
                {
                    // only the padding around the copied row needs zeros
                    int width = Math.Min(g.InWidth, 2 * half - g.PadLeft);
                    padded[..g.PadLeft].Clear();
                    new ReadOnlySpan<float>(x + h * g.InWidth, width).CopyTo(padded[g.PadLeft..]);
                    padded[(g.PadLeft + width)..].Clear();
                }
                else padded.Clear();
                for (int k = 0; k < half; k += 16)
                {
                    var a = Vector512.Load(line + 2 * k);
                    var b = Vector512.Load(line + 2 * k + 16);
                    Avx512F.PermuteVar16x32x2(a, evens, b).Store(even + k);
                    Avx512F.PermuteVar16x32x2(a, odds, b).Store(odd + k);
                }
            }
            int stride = 2 * half;
            int r = 0;
            for (; r + 2 <= oh; r += 2)
            {
                for (int s = 0; s < ow; s += 16)
                {
                    float* e = phases + 2 * r * stride + s;
                    var a0 = Vector512.FusedMultiplyAdd(Vector512.Load(e + 1), w2, Vector512.FusedMultiplyAdd(Vector512.Load(e + half), w1, Vector512.Load(e) * w0));
                    e += stride;
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Load(e + 1), w5, Vector512.FusedMultiplyAdd(Vector512.Load(e + half), w4, Vector512.FusedMultiplyAdd(Vector512.Load(e), w3, a0)));
                    e += stride;
                    var x0 = Vector512.Load(e); var x1 = Vector512.Load(e + half); var x2 = Vector512.Load(e + 1);
                    a0 = Vector512.FusedMultiplyAdd(x2, w8, Vector512.FusedMultiplyAdd(x1, w7, Vector512.FusedMultiplyAdd(x0, w6, a0)));
                    var a1 = Vector512.FusedMultiplyAdd(x2, w2, Vector512.FusedMultiplyAdd(x1, w1, x0 * w0));
                    e += stride;
                    a1 = Vector512.FusedMultiplyAdd(Vector512.Load(e + 1), w5, Vector512.FusedMultiplyAdd(Vector512.Load(e + half), w4, Vector512.FusedMultiplyAdd(Vector512.Load(e), w3, a1)));
                    e += stride;
                    a1 = Vector512.FusedMultiplyAdd(Vector512.Load(e + 1), w8, Vector512.FusedMultiplyAdd(Vector512.Load(e + half), w7, Vector512.FusedMultiplyAdd(Vector512.Load(e), w6, a1)));
                    Store(a0, y + r * ow + s, ow - s, tail);
                    Store(a1, y + (r + 1) * ow + s, ow - s, tail);
                }
            }
            for (; r < oh; r++)
            {
                for (int s = 0; s < ow; s += 16)
                {
                    float* e = phases + 2 * r * stride + s;
                    var a = Vector512.FusedMultiplyAdd(Vector512.Load(e + 1), w2, Vector512.FusedMultiplyAdd(Vector512.Load(e + half), w1, Vector512.Load(e) * w0));
                    e += stride;
                    a = Vector512.FusedMultiplyAdd(Vector512.Load(e + 1), w5, Vector512.FusedMultiplyAdd(Vector512.Load(e + half), w4, Vector512.FusedMultiplyAdd(Vector512.Load(e), w3, a)));
                    e += stride;
                    a = Vector512.FusedMultiplyAdd(Vector512.Load(e + 1), w8, Vector512.FusedMultiplyAdd(Vector512.Load(e + half), w7, Vector512.FusedMultiplyAdd(Vector512.Load(e), w6, a)));
                    Store(a, y + r * ow + s, ow - s, tail);
                }
            }
        }
    }

    /// <summary>Stores the first min(16, <paramref name="left"/>) lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(Vector512<float> value, float* target, int left, float* tail)
    {
        if (left >= 16) { value.Store(target); return; }
        value.Store(tail);
        for (int i = 0; i < left; i++) target[i] = tail[i];
    }
}
