using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// <see cref="DepthwiseConv3x3"/> on AVX2 machines (no AVX-512): the 3×3, undilated, stride-1 and stride-2 depthwise
/// convolutions (and, with the kernel flipped, every stride-1 input gradient), 8 outputs to a Vector256 register, the
/// nine weights in registers, stride 1 four output rows at a time so that each input vector is loaded once for up to
/// three of them (stride 2: <see cref="DepthwiseConv3x3Avx2Stride2"/>). The bias and activation are applied in
/// registers before each store (<see cref="ChannelLanes256"/>).
/// </summary>
/// <remarks>y[r, s] = Σ_{i, j} w[i, j] · x[r·stride − top + i, s·stride − left + j], zero outside the input, each
/// output summed in <see cref="DepthwiseConv3x3"/>'s order (kernel row by row, column by column, the first tap
/// multiplied, padding zeros included), so the values equal that kernel's bitwise. The input is read in place: blocks
/// of 8 columns whose taps stay inside the row load plainly, the blocks at the row's ends with AVX masked loads (zero
/// lanes outside); rows outside the input read a shared row of zeros. Stores: the last block of a row at least 8 wide
/// is moved left to end at the row's end (it recomputes, not adds, a few outputs), so every store is a plain one; a
/// row narrower than 8 (MobileNet's 7×7 planes) is stored whole, its extra lanes landing on the next row's first
/// columns before that row is stored — only a plane's last row goes through a scratch vector (AVX masked stores are
/// slow on AMD).</remarks>
internal static class DepthwiseConv3x3Avx2
{
    /// <summary>Output rows computed together (stride 1).</summary>
    private const int Block = 4;

    /// <summary>True for 3×3 kernels with stride 1 or 2 (both axes alike), dilation 1 and non-negative padding on
    /// AVX2 + FMA hardware without AVX-512 (where <see cref="DepthwiseConv3x3"/> runs instead).</summary>
    public static bool Applies(in ConvGeometry g) =>
        !Avx512F.IsSupported && Avx2.IsSupported && Fma.IsSupported && Vector256.IsHardwareAccelerated
        && g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideH == g.StrideW && (g.StrideW == 1 || g.StrideW == 2)
        && g.DilationH == 1 && g.DilationW == 1 && g.PadTop >= 0 && g.PadLeft >= 0 && g.PadBottom >= 0 && g.PadRight >= 0;

    /// <summary>Planes [<paramref name="start"/>, <paramref name="end"/>) of y = finish(depthwise conv(x, w)), plane p
    /// being image p / C, channel p % C (y overwritten).</summary>
    public static unsafe void Forward(float[] x, float[] w, float[] y, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
    {
        fixed (float* xs = x, ws = w, ys = y)
        {
            switch (finish.Kind)
            {
                case ConvActivationKind.Clamp when finish.WatchesTies: Run<ConvEpilogue.WatchedClampOperation>(xs, ws, ys, g, finish, start, end); break;
                case ConvActivationKind.Clamp: Run<ConvEpilogue.ClampOperation>(xs, ws, ys, g, finish, start, end); break;
                case ConvActivationKind.Leaky: Run<ConvEpilogue.LeakyOperation>(xs, ws, ys, g, finish, start, end); break;
                default: Run<ConvEpilogue.BiasOnly>(xs, ws, ys, g, finish, start, end); break;
            }
        }
    }

    private static unsafe void Run<TActivation>(float* x, float* w, float* y, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
        where TActivation : struct, ConvEpilogue.IActivationOperation
    {
        if (g.StrideW == 1) Stride1<TActivation, WholePlanes>(x, w, y, g, finish, new WholePlanes(g.InPlane), start, end);
        else DepthwiseConv3x3Avx2Stride2.Forward<TActivation>(x, w, y, g, finish, start, end);
    }

    /// <summary>Planes [<paramref name="start"/>, <paramref name="end"/>) of y = depthwise conv(mask ⊙ x, w) for stride 1
    /// (y overwritten, no epilogue): <see cref="DepthwiseConv3x3.ForwardMasked"/> on AVX2, each plane of x masked into
    /// a scratch plane (<see cref="MaskedPlane"/>) just before the kernel reads it.</summary>
    public static unsafe void ForwardMasked(float[] x, float[] w, float[] y, in ConvGeometry g, ActivationMask mask, int start, int end)
    {
        if (g.StrideW != 1 || mask.Plane != g.InPlane)
            throw new ArgumentException($"DepthwiseConv3x3Avx2: a masked pass needs stride 1 and a mask of the input's planes ({g}; mask planes of {mask.Plane}).", nameof(mask));
        fixed (float* xs = x, ws = w, ys = y) Stride1<ConvEpilogue.BiasOnly, MaskedPlane>(xs, ws, ys, g, default, MaskedPlane.For(mask, g.InPlane), start, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Stride1<TActivation, TSource>(float* xs, float* ws, float* ys, in ConvGeometry g, in ConvEpilogue finish,
        TSource source, int start, int end)
        where TActivation : struct, ConvEpilogue.IActivationOperation
        where TSource : struct, IPlaneSource
    {
        int ow = g.OutWidth, oh = g.OutHeight, w = g.InWidth, h = g.InHeight, top = g.PadTop, left = g.PadLeft, channels = g.InChannels;
        int outPlane = oh * ow;
        var stored = StoredLanes(ow);
        float* spare = stackalloc float[8];
        fixed (float* zero = DepthwiseConv3x3.Zeros(w))
        {
            for (int p = start; p < end; p++)
            {
                float* x = source.Read(xs, p), y = ys + (nint)p * outPlane;
                var lanes = finish.Lanes256(p % channels);
                Broadcast(ws + p % channels * 9, out var w0, out var w1, out var w2, out var w3, out var w4, out var w5, out var w6, out var w7, out var w8);
                int r = 0;
                for (; r + Block <= oh; r += Block)
                {
                    int ih = r - top;
                    float* p0 = DepthwiseConv3x3.Row(x, zero, ih, h, w), p1 = DepthwiseConv3x3.Row(x, zero, ih + 1, h, w);
                    float* p2 = DepthwiseConv3x3.Row(x, zero, ih + 2, h, w), p3 = DepthwiseConv3x3.Row(x, zero, ih + 3, h, w);
                    float* p4 = DepthwiseConv3x3.Row(x, zero, ih + 4, h, w), p5 = DepthwiseConv3x3.Row(x, zero, ih + 5, h, w);
                    for (int s = 0; ; s += 8)
                    {
                        if (s + 8 > ow) s = Math.Max(0, ow - 8);            // the last block ends at the row's end
                        int col = s - left;                                 // input column of tap j = 0, lane 0
                        bool inside = col >= 0 && col + 10 <= w;
                        var m0 = inside ? default : Inside(col, w);
                        var m1 = inside ? default : Inside(col + 1, w);
                        var m2 = inside ? default : Inside(col + 2, w);
                        Load3(p0 + col, inside, m0, m1, m2, out var x0, out var x1, out var x2);
                        var a0 = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p1 + col, inside, m0, m1, m2, out x0, out x1, out x2);
                        a0 = NextRow(a0, x0, x1, x2, w3, w4, w5);
                        var a1 = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p2 + col, inside, m0, m1, m2, out x0, out x1, out x2);
                        a0 = NextRow(a0, x0, x1, x2, w6, w7, w8);
                        a1 = NextRow(a1, x0, x1, x2, w3, w4, w5);
                        var a2 = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p3 + col, inside, m0, m1, m2, out x0, out x1, out x2);
                        a1 = NextRow(a1, x0, x1, x2, w6, w7, w8);
                        a2 = NextRow(a2, x0, x1, x2, w3, w4, w5);
                        var a3 = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p4 + col, inside, m0, m1, m2, out x0, out x1, out x2);
                        a2 = NextRow(a2, x0, x1, x2, w6, w7, w8);
                        a3 = NextRow(a3, x0, x1, x2, w3, w4, w5);
                        Load3(p5 + col, inside, m0, m1, m2, out x0, out x1, out x2);
                        a3 = NextRow(a3, x0, x1, x2, w6, w7, w8);
                        float* target = y + r * ow + s;
                        Store(target, lanes.Apply<TActivation>(a0, stored), r, oh, ow, spare);
                        Store(target + ow, lanes.Apply<TActivation>(a1, stored), r + 1, oh, ow, spare);
                        Store(target + 2 * ow, lanes.Apply<TActivation>(a2, stored), r + 2, oh, ow, spare);
                        Store(target + 3 * ow, lanes.Apply<TActivation>(a3, stored), r + 3, oh, ow, spare);
                        if (s + 8 >= ow) break;
                    }
                }
                for (; r < oh; r++)
                {
                    float* p0 = DepthwiseConv3x3.Row(x, zero, r - top, h, w), p1 = DepthwiseConv3x3.Row(x, zero, r - top + 1, h, w);
                    float* p2 = DepthwiseConv3x3.Row(x, zero, r - top + 2, h, w);
                    for (int s = 0; ; s += 8)
                    {
                        if (s + 8 > ow) s = Math.Max(0, ow - 8);
                        int col = s - left;
                        bool inside = col >= 0 && col + 10 <= w;
                        var m0 = inside ? default : Inside(col, w);
                        var m1 = inside ? default : Inside(col + 1, w);
                        var m2 = inside ? default : Inside(col + 2, w);
                        Load3(p0 + col, inside, m0, m1, m2, out var x0, out var x1, out var x2);
                        var a = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p1 + col, inside, m0, m1, m2, out x0, out x1, out x2);
                        a = NextRow(a, x0, x1, x2, w3, w4, w5);
                        Load3(p2 + col, inside, m0, m1, m2, out x0, out x1, out x2);
                        a = NextRow(a, x0, x1, x2, w6, w7, w8);
                        Store(y + r * ow + s, lanes.Apply<TActivation>(a, stored), r, oh, ow, spare);
                        if (s + 8 >= ow) break;
                    }
                }
            }
        }
    }

    /// <summary>The lanes of a block that hold outputs of its row: all 8, or the first <paramref name="ow"/> of a row
    /// narrower than that (the only lanes a watched clamp compares with its bounds).</summary>
    internal static Vector256<float> StoredLanes(int ow) => ow >= 8 ? Vector256<float>.AllBitsSet : Inside(0, ow);

    /// <summary>Stores the block of row <paramref name="row"/> (of <paramref name="rows"/>) at <paramref name="target"/>:
    /// plainly when the row is at least 8 wide or the plane's later rows hold the lanes past this row (their stores,
    /// later, overwrite them), else the first <paramref name="ow"/> lanes through <paramref name="spare"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Store(float* target, Vector256<float> v, int row, int rows, int ow, float* spare)
    {
        if (ow >= 8 || (rows - row) * ow >= 8) { v.Store(target); return; }
        v.Store(spare);
        for (int k = 0; k < ow; k++) target[k] = spare[k];
    }

    /// <summary>x0·a + x1·b + x2·c: the first kernel row of an output vector (<see cref="DepthwiseConv3x3.FirstRow"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> FirstRow(Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.MultiplyAdd(x2, c, Fma.MultiplyAdd(x1, b, Avx.Multiply(x0, a)));

    /// <summary>acc + x0·a + x1·b + x2·c, added in that order: a further kernel row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> NextRow(Vector256<float> acc, Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.MultiplyAdd(x2, c, Fma.MultiplyAdd(x1, b, Fma.MultiplyAdd(x0, a, acc)));

    /// <summary>The nine weights of a 3×3 filter, each in all 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Broadcast(float* f, out Vector256<float> w0, out Vector256<float> w1, out Vector256<float> w2, out Vector256<float> w3,
        out Vector256<float> w4, out Vector256<float> w5, out Vector256<float> w6, out Vector256<float> w7, out Vector256<float> w8)
    {
        w0 = Vector256.Create(f[0]); w1 = Vector256.Create(f[1]); w2 = Vector256.Create(f[2]);
        w3 = Vector256.Create(f[3]); w4 = Vector256.Create(f[4]); w5 = Vector256.Create(f[5]);
        w6 = Vector256.Create(f[6]); w7 = Vector256.Create(f[7]); w8 = Vector256.Create(f[8]);
    }

    /// <summary>p[k], p[k + 1], p[k + 2] (k = 0 … 7): plain loads when the block lies <paramref name="inside"/> the row,
    /// else masked ones (lanes outside zero, never read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Load3(float* p, bool inside, Vector256<float> m0, Vector256<float> m1, Vector256<float> m2,
        out Vector256<float> x0, out Vector256<float> x1, out Vector256<float> x2)
    {
        if (inside)
        {
            x0 = Avx.LoadVector256(p);
            x1 = Avx.LoadVector256(p + 1);
            x2 = Avx.LoadVector256(p + 2);
        }
        else
        {
            x0 = Avx.MaskLoad(p, m0);
            x1 = Avx.MaskLoad(p + 1, m1);
            x2 = Avx.MaskLoad(p + 2, m2);
        }
    }

    /// <summary>The lanes k of a vector starting at column <paramref name="first"/> whose column first + k lies in
    /// [0, <paramref name="width"/>), as an AVX load/store mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Inside(int first, int width) =>
        Vector256.LessThan((Vector256<int>.Indices + Vector256.Create(first)).AsUInt32(), Vector256.Create((uint)width)).AsSingle();
}
