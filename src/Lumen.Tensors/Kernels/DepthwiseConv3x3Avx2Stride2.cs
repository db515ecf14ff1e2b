using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Lumen.Tensors.Kernels.DepthwiseConv3x3Avx2;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// <see cref="DepthwiseConv3x3Stride2"/> on AVX2 machines: the 3×3, stride-2, undilated depthwise convolution (entered
/// through <see cref="DepthwiseConv3x3Avx2"/>) and its input gradient, in place in the NCHW planes, 8 output columns
/// to a Vector256, nine weights in registers, two output rows sharing their middle input row, the bias and activation
/// applied in registers before each store.
/// </summary>
/// <remarks>Forward: y[r, s] = Σ_{i, j} w[i, j] · x[2r − top + i, 2s − left + j]. For 8 output columns the 16 input
/// columns from c = 2s − left are loaded as two vectors a, b and split in-lane by one <c>vshufps</c> each: the even
/// columns (tap j = 0) as [a0 a2 b0 b2 | a4 a6 b4 b6], the odd ones (j = 1) alike, and j = 2 from the two vectors at
/// c + 2. Every tap is thereby in the same lane order, outputs (0 1 4 5 2 3 6 7), so the accumulator is put in order
/// by one 64-bit permute before the epilogue, instead of three per input row. The sum runs in
/// <see cref="DepthwiseConv3x3"/>'s order (bitwise equal). Input gradient: <see cref="DepthwiseConv3x3Stride2"/>'s
/// transpose (even/odd input columns from output columns m and m − 1), the even and odd vectors interleaved by
/// unpack-low/high and two 128-bit permutes. Blocks at the rows' ends load with AVX masked loads; their stores go
/// through a scratch vector (AVX masked stores are slow on AMD), and forward rows as <see cref="DepthwiseConv3x3Avx2"/>'s.</remarks>
internal static class DepthwiseConv3x3Avx2Stride2
{
    /// <summary>Planes [start, end) of y = finish(stride-2 depthwise conv(x, w)), plane p being image p / C, channel
    /// p % C (y overwritten).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Forward<TActivation>(float* xs, float* ws, float* ys, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
        where TActivation : struct, ConvEpilogue.IActivationOperation
    {
        int ow = g.OutWidth, oh = g.OutHeight, w = g.InWidth, h = g.InHeight, top = g.PadTop, left = g.PadLeft, channels = g.InChannels;
        int inPlane = h * w, outPlane = oh * ow;
        var stored = StoredLanes(ow);
        float* spare = stackalloc float[8];
        fixed (float* zero = DepthwiseConv3x3.Zeros(w))
        {
            for (int p = start; p < end; p++)
            {
                float* x = xs + (nint)p * inPlane, y = ys + (nint)p * outPlane;
                var lanes = finish.Lanes256(p % channels);
                Broadcast(ws + p % channels * 9, out var w0, out var w1, out var w2, out var w3, out var w4, out var w5, out var w6, out var w7, out var w8);
                for (int r = 0; r < oh; r += 2)
                {
                    int ih = 2 * r - top;
                    bool pair = r + 1 < oh;
                    float* p0 = DepthwiseConv3x3.Row(x, zero, ih, h, w), p1 = DepthwiseConv3x3.Row(x, zero, ih + 1, h, w);
                    float* p2 = DepthwiseConv3x3.Row(x, zero, ih + 2, h, w);
                    float* p3 = pair ? DepthwiseConv3x3.Row(x, zero, ih + 3, h, w) : zero, p4 = pair ? DepthwiseConv3x3.Row(x, zero, ih + 4, h, w) : zero;
                    for (int s = 0; ; s += 8)
                    {
                        if (s + 8 > ow) s = Math.Max(0, ow - 8);            // the last block ends at the row's end
                        int col = 2 * s - left;                             // input column of tap j = 0, lane 0
                        bool inside = col >= 0 && col + 18 <= w;
                        var ma = inside ? default : Inside(col, w);
                        var mb = inside ? default : Inside(col + 8, w);
                        var mc = inside ? default : Inside(col + 2, w);
                        var md = inside ? default : Inside(col + 10, w);
                        Split(p0 + col, inside, ma, mb, mc, md, out var x0, out var x1, out var x2);
                        var a0 = FirstRow(x0, x1, x2, w0, w1, w2);
                        Split(p1 + col, inside, ma, mb, mc, md, out x0, out x1, out x2);
                        a0 = NextRow(a0, x0, x1, x2, w3, w4, w5);
                        Split(p2 + col, inside, ma, mb, mc, md, out x0, out x1, out x2);
                        a0 = NextRow(a0, x0, x1, x2, w6, w7, w8);
                        Store(y + r * ow + s, lanes.Apply<TActivation>(InOrder(a0), stored), r, oh, ow, spare);
                        if (pair)
                        {
                            var a1 = FirstRow(x0, x1, x2, w0, w1, w2);
                            Split(p3 + col, inside, ma, mb, mc, md, out x0, out x1, out x2);
                            a1 = NextRow(a1, x0, x1, x2, w3, w4, w5);
                            Split(p4 + col, inside, ma, mb, mc, md, out x0, out x1, out x2);
                            a1 = NextRow(a1, x0, x1, x2, w6, w7, w8);
                            Store(y + (r + 1) * ow + s, lanes.Apply<TActivation>(InOrder(a1), stored), r + 1, oh, ow, spare);
                        }
                        if (s + 8 >= ow) break;
                    }
                }
            }
        }
    }

    /// <summary>Planes [<paramref name="start"/>, <paramref name="end"/>) of dx = the input gradient for output gradient
    /// dy (dx overwritten), where <see cref="DepthwiseConv3x3Avx2.Applies"/> holds with stride 2. With a
    /// <paramref name="mask"/>, for output gradient mask ⊙ dy, each plane of dy masked just before it is read
    /// (<see cref="MaskedPlane"/>), bitwise as if dy had been masked first.</summary>
    public static unsafe void InputGradient(float[] dy, float[] w, float[] dx, in ConvGeometry g, int start, int end, ActivationMask? mask = null)
    {
        if (mask is not null && mask.Plane != g.OutPlane)
            throw new ArgumentException($"DepthwiseConv3x3Avx2Stride2: a mask of planes of {mask.Plane} for output planes of {g.OutPlane} ({g}).", nameof(mask));
        fixed (float* d = dy, ws = w, t = dx)
        {
            if (mask is null) InputGradient(d, ws, t, g, new WholePlanes(g.OutPlane), start, end);
            else InputGradient(d, ws, t, g, MaskedPlane.For(mask, g.OutPlane), start, end);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void InputGradient<TSource>(float* ds, float* ws, float* ts, in ConvGeometry g, TSource source, int start, int end)
        where TSource : struct, IPlaneSource
    {
        int ow = g.OutWidth, oh = g.OutHeight, w = g.InWidth, h = g.InHeight, top = g.PadTop, left = g.PadLeft, channels = g.InChannels;
        int inPlane = h * w;
        float* spare = stackalloc float[16];
        fixed (float* zero = DepthwiseConv3x3.Zeros(ow))
        {
            for (int p = start; p < end; p++)
            {
                float* d = source.Read(ds, p), t = ts + (nint)p * inPlane;
                Broadcast(ws + p % channels * 9, out var w0, out var w1, out var w2, out var w3, out var w4, out var w5, out var w6, out var w7, out var w8);
                for (int row = 0; row < h; row++)
                {
                    int q = row + top, rr = q >> 1;
                    bool evenRow = (q & 1) == 0;
                    float* a = DepthwiseConv3x3.Row(d, zero, rr, oh, ow);
                    float* b = DepthwiseConv3x3.Row(d, zero, rr - 1, oh, ow);
                    float* target = t + (nint)row * w;
                    // output columns m … m + 7 feed the input columns 2m − left … 2m − left + 15
                    for (int m = 0; 2 * m - left < w; m += 8)
                    {
                        int col = 2 * m - left;
                        bool inside = m >= 1 && m + 8 <= ow && col >= 0 && col + 16 <= w;
                        var at = inside ? default : Inside(m, ow);
                        var before = inside ? default : Inside(m - 1, ow);
                        var a0 = Load(a + m, inside, at);
                        var a1 = Load(a + m - 1, inside, before);
                        Vector256<float> even, odd;
                        if (evenRow)
                        {
                            var b0 = Load(b + m, inside, at);
                            var b1 = Load(b + m - 1, inside, before);
                            even = Fma.MultiplyAdd(b1, w8, Fma.MultiplyAdd(b0, w6, Fma.MultiplyAdd(a1, w2, Avx.Multiply(a0, w0))));
                            odd = Fma.MultiplyAdd(b0, w7, Avx.Multiply(a0, w1));
                        }
                        else
                        {
                            even = Fma.MultiplyAdd(a1, w5, Avx.Multiply(a0, w3));
                            odd = Avx.Multiply(a0, w4);
                        }
                        var low = Avx.UnpackLow(even, odd);                // e0 o0 e1 o1 | e4 o4 e5 o5
                        var high = Avx.UnpackHigh(even, odd);              // e2 o2 e3 o3 | e6 o6 e7 o7
                        var first = Avx.Permute2x128(low, high, 0x20);
                        var second = Avx.Permute2x128(low, high, 0x31);
                        if (inside)
                        {
                            first.Store(target + col);
                            second.Store(target + col + 8);
                            continue;
                        }
                        first.Store(spare);
                        second.Store(spare + 8);
                        CopyInside(spare, target + col, Math.Max(0, -col), Math.Min(16, w - col));
                    }
                }
            }
        }
    }

    /// <summary>to[k] = from[k] for k in [<paramref name="lo"/>, <paramref name="hi"/>) (at most 16), nothing else written:
    /// two overlapping vector copies when there are 8 or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyInside(float* from, float* to, int lo, int hi)
    {
        if (hi - lo >= 8)
        {
            Avx.LoadVector256(from + lo).Store(to + lo);
            Avx.LoadVector256(from + hi - 8).Store(to + hi - 8);
            return;
        }
        for (int k = lo; k < hi; k++) to[k] = from[k];
    }

    /// <summary>The three tap columns of 8 stride-2 outputs from the input row at <paramref name="p"/> (column
    /// 2s − left): p[2k], p[2k + 1], p[2k + 2] in the lane order of outputs (0 1 4 5 2 3 6 7); masked loads (lanes
    /// outside the row zero) unless the block lies <paramref name="inside"/> the row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Split(float* p, bool inside, Vector256<float> ma, Vector256<float> mb, Vector256<float> mc, Vector256<float> md,
        out Vector256<float> x0, out Vector256<float> x1, out Vector256<float> x2)
    {
        var a = Load(p, inside, ma);
        var b = Load(p + 8, inside, mb);
        x0 = Avx.Shuffle(a, b, 0b10_00_10_00);
        x1 = Avx.Shuffle(a, b, 0b11_01_11_01);
        x2 = Avx.Shuffle(Load(p + 2, inside, mc), Load(p + 10, inside, md), 0b10_00_10_00);
    }

    /// <summary>Outputs (0 1 4 5 2 3 6 7) put in order: the 64-bit pairs (0 1), (2 3), (4 5), (6 7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> InOrder(Vector256<float> v) => Avx2.Permute4x64(v.AsDouble(), 0b11_01_10_00).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Load(float* p, bool inside, Vector256<float> mask) => inside ? Avx.LoadVector256(p) : Avx.MaskLoad(p, mask);
}
