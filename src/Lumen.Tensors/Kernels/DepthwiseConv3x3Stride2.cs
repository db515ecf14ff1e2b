using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The 3×3, stride-2, undilated depthwise convolution (MobileNet's downsampling; entered through
/// <see cref="DepthwiseConv3x3"/>) and its input gradient, reading and writing the planes in place: the even and odd
/// input columns that the taps of 16 output columns need are split out of two loaded vectors by one AVX-512
/// two-source permute each, the nine weights stay in registers, two output rows share their middle input row, and the
/// bias and activation (<see cref="ConvEpilogue"/>) are applied before each store.
/// </summary>
/// <remarks>Forward: y[r, s] = Σ_{i, j} w[i, j] · x[2r − top + i, 2s − left + j], so taps j = 0, 1, 2 of output
/// columns s … s + 15 read the input columns 2s − left + j + 2k (k = 0 … 15): the even lanes of the 32 columns from
/// 2s − left, the odd ones, and the even lanes of the 32 columns from 2s − left + 2. Input gradient (the transpose):
/// with padded coordinates q = h + top and p = c + left, input row q = 2R gets the kernel rows 0 (from output row R)
/// and 2 (from R − 1), q = 2R + 1 the kernel row 1 (from R); column p = 2m gets the kernel columns 0 (from output
/// column m) and 2 (from m − 1), p = 2m + 1 the kernel column 1 (from m). So 16 output columns give 16 even and 16 odd
/// input columns, interleaved into 32 by two permutes. Lanes outside a row are masked (zero on load, untouched on
/// store); rows outside read a shared row of zeros. The forward accumulates in the general kernel's order.</remarks>
internal static class DepthwiseConv3x3Stride2
{
    /// <summary>Planes [start, end) of y = finish(stride-2 depthwise conv(x, w)), plane p being image p / C, channel
    /// p % C (y overwritten); <typeparamref name="TActivation"/> is the epilogue's activation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Forward<TActivation>(float* xs, float* ws, float* ys, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
        where TActivation : struct, ConvEpilogue.IActivationOperation
    {
        int ow = g.OutWidth, oh = g.OutHeight, w = g.InWidth, h = g.InHeight, top = g.PadTop, left = g.PadLeft, channels = g.InChannels;
        int inPlane = h * w, outPlane = oh * ow;
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        // per 16-column block: the masks of the four loads of Split and the store mask, the same for every row and plane
        int blocks = (ow + 15) / 16;
        Span<Vector512<float>> masks = blocks <= 32 ? stackalloc Vector512<float>[5 * blocks] : new Vector512<float>[5 * blocks];
        for (int k = 0; k < blocks; k++)
        {
            int col = 32 * k - left;
            masks[5 * k] = DepthwiseConv3x3.Inside(col, w);
            masks[5 * k + 1] = DepthwiseConv3x3.Inside(col + 16, w);
            masks[5 * k + 2] = DepthwiseConv3x3.Inside(col + 2, w);
            masks[5 * k + 3] = DepthwiseConv3x3.Inside(col + 18, w);
            masks[5 * k + 4] = DepthwiseConv3x3.Inside(16 * k, ow);
        }
        fixed (float* zero = DepthwiseConv3x3.Zeros(w))
        fixed (Vector512<float>* table = masks)
        {
            for (int p = start; p < end; p++)
            {
                float* x = xs + (nint)p * inPlane, y = ys + (nint)p * outPlane;
                var lanes = finish.Lanes(p % channels);
                DepthwiseConv3x3.Broadcast(ws + p % channels * 9, out var w0, out var w1, out var w2, out var w3, out var w4, out var w5, out var w6, out var w7, out var w8);
                for (int r = 0; r < oh; r += 2)
                {
                    int ih = 2 * r - top;
                    bool pair = r + 1 < oh;
                    float* p0 = DepthwiseConv3x3.Row(x, zero, ih, h, w), p1 = DepthwiseConv3x3.Row(x, zero, ih + 1, h, w);
                    float* p2 = DepthwiseConv3x3.Row(x, zero, ih + 2, h, w);
                    float* p3 = pair ? DepthwiseConv3x3.Row(x, zero, ih + 3, h, w) : zero, p4 = pair ? DepthwiseConv3x3.Row(x, zero, ih + 4, h, w) : zero;
                    for (int s = 0; s < ow; s += 16)
                    {
                        int col = 2 * s - left;               // input column of tap j = 0, lane 0
                        Vector512<float>* mk = table + 5 * (s / 16);
                        var ma = mk[0]; var mb = mk[1]; var mc = mk[2]; var md = mk[3];
                        Split(p0 + col, ma, mb, mc, md, evens, odds, out var x0, out var x1, out var x2);
                        var a0 = DepthwiseConv3x3.FirstRow(x0, x1, x2, w0, w1, w2);
                        Split(p1 + col, ma, mb, mc, md, evens, odds, out x0, out x1, out x2);
                        a0 = DepthwiseConv3x3.NextRow(a0, x0, x1, x2, w3, w4, w5);
                        Split(p2 + col, ma, mb, mc, md, evens, odds, out x0, out x1, out x2);
                        a0 = DepthwiseConv3x3.NextRow(a0, x0, x1, x2, w6, w7, w8);
                        var ms = mk[4];
                        Avx512F.MaskStore(y + r * ow + s, ms, lanes.Apply<TActivation>(a0, ms));
                        if (!pair) continue;
                        var a1 = DepthwiseConv3x3.FirstRow(x0, x1, x2, w0, w1, w2);
                        Split(p3 + col, ma, mb, mc, md, evens, odds, out x0, out x1, out x2);
                        a1 = DepthwiseConv3x3.NextRow(a1, x0, x1, x2, w3, w4, w5);
                        Split(p4 + col, ma, mb, mc, md, evens, odds, out x0, out x1, out x2);
                        a1 = DepthwiseConv3x3.NextRow(a1, x0, x1, x2, w6, w7, w8);
                        Avx512F.MaskStore(y + (r + 1) * ow + s, ms, lanes.Apply<TActivation>(a1, ms));
                    }
                }
            }
        }
    }

    /// <summary>Planes [<paramref name="start"/>, <paramref name="end"/>) of dx = the input gradient for output gradient
    /// dy (dx overwritten), for geometries where <see cref="DepthwiseConv3x3.Applies"/> holds with stride 2. With a
    /// <paramref name="mask"/>, for output gradient mask ⊙ dy: each plane of dy is masked into a scratch plane just before
    /// it is read (<see cref="MaskedPlane"/>), bitwise as if dy had been masked first.</summary>
    public static unsafe void InputGradient(float[] dy, float[] w, float[] dx, in ConvGeometry g, int start, int end, ActivationMask? mask = null)
    {
        if (mask is not null && mask.Plane != g.OutPlane)
            throw new ArgumentException($"DepthwiseConv3x3Stride2: a mask of planes of {mask.Plane} for output planes of {g.OutPlane} ({g}).", nameof(mask));
        fixed (float* d = dy, ws = w, t = dx)
        {
            if (mask is null) InputGradient(d, ws, t, g, new WholePlanes(g.OutPlane), start, end);
            else InputGradient(d, ws, t, g, MaskedPlane.For(mask, g.OutPlane), start, end);
        }
    }

    /// <summary>One plane: dx [H, W] (overwritten) = the input gradient for output gradient dy [OH, OW].</summary>
    public static unsafe void InputGradientPlane(ReadOnlySpan<float> dy, Span<float> dx, ReadOnlySpan<float> filter, in ConvGeometry g)
    {
        fixed (float* d = dy, w = filter, t = dx) InputGradient(d, w, t, g with { Batch = 1, InChannels = 1, OutChannels = 1, Groups = 1 }, new WholePlanes(g.OutPlane), 0, 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void InputGradient<TSource>(float* ds, float* ws, float* ts, in ConvGeometry g, TSource source, int start, int end)
        where TSource : struct, IPlaneSource
    {
        int ow = g.OutWidth, oh = g.OutHeight, w = g.InWidth, h = g.InHeight, top = g.PadTop, left = g.PadLeft, channels = g.InChannels;
        int inPlane = h * w, outPlane = oh * ow;
        var low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var high = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        // per block of 16 output columns m: the masks of dy[m + k], dy[m + k − 1] and of the 32 input columns 2m − left + k
        int blocks = (w + left + 31) / 32;
        Span<Vector512<float>> masks = blocks <= 32 ? stackalloc Vector512<float>[4 * blocks] : new Vector512<float>[4 * blocks];
        for (int k = 0; k < blocks; k++)
        {
            masks[4 * k] = DepthwiseConv3x3.Inside(16 * k, ow);
            masks[4 * k + 1] = DepthwiseConv3x3.Inside(16 * k - 1, ow);
            masks[4 * k + 2] = DepthwiseConv3x3.Inside(32 * k - left, w);
            masks[4 * k + 3] = DepthwiseConv3x3.Inside(32 * k - left + 16, w);
        }
        fixed (float* zero = DepthwiseConv3x3.Zeros(ow))
        fixed (Vector512<float>* table = masks)
        {
            for (int p = start; p < end; p++)
            {
                float* d = source.Read(ds, p), t = ts + (nint)p * inPlane;
                DepthwiseConv3x3.Broadcast(ws + p % channels * 9, out var w0, out var w1, out var w2, out var w3, out var w4, out var w5, out var w6, out var w7, out var w8);
                for (int row = 0; row < h; row++)
                {
                    int q = row + top, rr = q >> 1;
                    float* a = DepthwiseConv3x3.Row(d, zero, rr, oh, ow);
                    float* b = DepthwiseConv3x3.Row(d, zero, rr - 1, oh, ow);
                    float* target = t + (nint)row * w;
                    // output columns m … m + 15 feed the input columns 2m − left … 2m − left + 31
                    for (int m = 0; 2 * m - left < w; m += 16)
                    {
                        Vector512<float>* mk = table + m / 4;
                        var at = mk[0]; var before = mk[1];
                        var a0 = Avx512F.MaskLoad(a + m, at, default);
                        var a1 = Avx512F.MaskLoad(a + m - 1, before, default);
                        Vector512<float> even, odd;
                        if ((q & 1) == 0)
                        {
                            var b0 = Avx512F.MaskLoad(b + m, at, default);
                            var b1 = Avx512F.MaskLoad(b + m - 1, before, default);
                            even = Vector512.FusedMultiplyAdd(b1, w8, Vector512.FusedMultiplyAdd(b0, w6, Vector512.FusedMultiplyAdd(a1, w2, a0 * w0)));
                            odd = Vector512.FusedMultiplyAdd(b0, w7, a0 * w1);
                        }
                        else
                        {
                            even = Vector512.FusedMultiplyAdd(a1, w5, a0 * w3);
                            odd = a0 * w4;
                        }
                        int col = 2 * m - left;
                        Avx512F.MaskStore(target + col, mk[2], Avx512F.PermuteVar16x32x2(even, low, odd));
                        Avx512F.MaskStore(target + col + 16, mk[3], Avx512F.PermuteVar16x32x2(even, high, odd));
                    }
                }
            }
        }
    }

    /// <summary>The three tap columns of 16 stride-2 outputs from the input row at <paramref name="p"/> (column
    /// 2s − left): x0 = p[2k], x1 = p[2k + 1], x2 = p[2k + 2], lanes outside the row zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Split(float* p, Vector512<float> ma, Vector512<float> mb, Vector512<float> mc, Vector512<float> md,
        Vector512<int> evens, Vector512<int> odds, out Vector512<float> x0, out Vector512<float> x1, out Vector512<float> x2)
    {
        var a = Avx512F.MaskLoad(p, ma, default);
        var b = Avx512F.MaskLoad(p + 16, mb, default);
        x0 = Avx512F.PermuteVar16x32x2(a, evens, b);
        x1 = Avx512F.PermuteVar16x32x2(a, odds, b);
        x2 = Avx512F.PermuteVar16x32x2(Avx512F.MaskLoad(p + 2, mc, default), evens, Avx512F.MaskLoad(p + 18, md, default));
    }
}
