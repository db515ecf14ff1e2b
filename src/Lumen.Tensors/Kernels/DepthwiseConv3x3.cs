using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The 3×3, undilated, stride-1 and stride-2 depthwise convolutions of MobileNet-style networks (and, with the kernel
/// flipped, the input gradient of every stride-1 depthwise layer), register-blocked: the nine weights stay in
/// registers and stride 1 computes four output rows together, so each input vector is loaded once for up to three of
/// them — about 4.5 loads per 16 outputs instead of 18 (stride 2: <see cref="DepthwiseConv3x3Stride2"/>). The bias and
/// activation (<see cref="ConvEpilogue"/>) are applied in registers before each store.
/// </summary>
/// <remarks>y[r, s] = Σ_{i, j} w[i, j] · x[r·stride − top + i, s·stride − left + j], zero outside the input. The kernels
/// read the input in place: AVX-512 masked loads zero the lanes whose column leaves the row, rows outside the input
/// read a shared row of zeros, and masked stores write the ragged last vector of a row (no padded copy, no scalar
/// tail). The plane loop runs inside one kernel instance per activation, so a 7×7 plane pays no per-call set-up.
/// Each output accumulates its taps in the general kernel's order (kernel row by row, column by column, from zero),
/// so the values equal it except that a zero tap may turn a −0 sum into +0.</remarks>
internal static class DepthwiseConv3x3
{
    /// <summary>Output rows computed together (stride 1).</summary>
    private const int Block = 4;

    // read-only zeros standing in for the rows above and below the input (never written, so shared by all threads)
    private static float[] zeros = GC.AllocateArray<float>(4096, pinned: true);

    /// <summary>True for 3×3 kernels with stride 1 or 2 (both axes alike), dilation 1 and non-negative padding on
    /// AVX-512 hardware.</summary>
    public static bool Applies(in ConvGeometry g) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && g.KernelHeight == 3 && g.KernelWidth == 3
        && g.StrideH == g.StrideW && (g.StrideW == 1 || g.StrideW == 2) && g.DilationH == 1 && g.DilationW == 1
        && g.PadTop >= 0 && g.PadLeft >= 0 && g.PadBottom >= 0 && g.PadRight >= 0;

    /// <summary>Planes [<paramref name="start"/>, <paramref name="end"/>) of y = finish(depthwise conv(x, w)), plane p
    /// being image p / C, channel p % C (y overwritten).</summary>
    public static unsafe void Forward(float[] x, float[] w, float[] y, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
    {
        fixed (float* xs = x, ws = w, ys = y) Run(xs, ws, ys, g, finish, start, end);
    }

    /// <summary>One plane: output [OH, OW] (overwritten) = finish(depthwise conv of input [H, W] with filter [3, 3]),
    /// finished as channel 0.</summary>
    public static unsafe void ForwardPlane(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> filter, in ConvGeometry g, in ConvEpilogue finish)
    {
        fixed (float* x = input, w = filter, y = output) Run(x, w, y, g with { Batch = 1, InChannels = 1, OutChannels = 1, Groups = 1 }, finish, 0, 1);
    }

    private static unsafe void Run(float* x, float* w, float* y, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
    {
        switch (finish.Kind)
        {
            case ConvActivationKind.Clamp when finish.WatchesTies: Run<ConvEpilogue.WatchedClampOperation>(x, w, y, g, finish, start, end); break;
            case ConvActivationKind.Clamp: Run<ConvEpilogue.ClampOperation>(x, w, y, g, finish, start, end); break;
            case ConvActivationKind.Leaky: Run<ConvEpilogue.LeakyOperation>(x, w, y, g, finish, start, end); break;
            default: Run<ConvEpilogue.BiasOnly>(x, w, y, g, finish, start, end); break;
        }
    }

    // one instance per activation, so that the store finishes without a branch on the kind
    private static unsafe void Run<TActivation>(float* x, float* w, float* y, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
        where TActivation : struct, ConvEpilogue.IActivationOperation
    {
        if (g.StrideW == 1) Stride1<TActivation, WholePlanes>(x, w, y, g, finish, new WholePlanes(g.InPlane), start, end);
        else DepthwiseConv3x3Stride2.Forward<TActivation>(x, w, y, g, finish, start, end);
    }

    /// <summary>Planes [<paramref name="start"/>, <paramref name="end"/>) of y = depthwise conv(mask ⊙ x, w) for stride 1
    /// (y overwritten, no epilogue): the stride-1 input gradient (<see cref="ConvDepthwise"/>: x the output gradient,
    /// w flipped) of a convolution fused with its activation. Each plane of x is masked into a per-call scratch plane
    /// just before the kernel reads it (<see cref="ActivationMask.Apply(int, ReadOnlySpan{float}, Span{float})"/>), so
    /// the values are those of masking x first, bitwise, without a masked copy of x going to memory and back.</summary>
    public static unsafe void ForwardMasked(float[] x, float[] w, float[] y, in ConvGeometry g, ActivationMask mask, int start, int end)
    {
        if (g.StrideW != 1 || mask.Plane != g.InPlane)
            throw new ArgumentException($"DepthwiseConv3x3: a masked pass needs stride 1 and a mask of the input's planes ({g}; mask planes of {mask.Plane}).", nameof(mask));
        fixed (float* xs = x, ws = w, ys = y) Stride1<ConvEpilogue.BiasOnly, MaskedPlane>(xs, ws, ys, g, default, MaskedPlane.For(mask, g.InPlane), start, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Stride1<TActivation, TSource>(float* xs, float* ws, float* ys, in ConvGeometry g, in ConvEpilogue finish,
        TSource source, int start, int end)
        where TActivation : struct, ConvEpilogue.IActivationOperation
        where TSource : struct, IPlaneSource
    {
        int ow = g.OutWidth, oh = g.OutHeight, w = g.InWidth, h = g.InHeight, top = g.PadTop, left = g.PadLeft, channels = g.InChannels;
        int inPlane = h * w, outPlane = oh * ow, blocks = (ow + 15) / 16;
        // per 16-column block: the load masks of taps j = 0, 1, 2 and the store mask, the same for every row and plane
        Span<Vector512<float>> masks = blocks <= 64 ? stackalloc Vector512<float>[4 * blocks] : new Vector512<float>[4 * blocks];
        for (int k = 0; k < blocks; k++)
        {
            for (int j = 0; j < 3; j++) masks[4 * k + j] = Inside(16 * k - left + j, w);
            masks[4 * k + 3] = Inside(16 * k, ow);
        }
        fixed (float* zero = Zeros(w))
        fixed (Vector512<float>* table = masks)
        {
            for (int p = start; p < end; p++)
            {
                float* x = source.Read(xs, p), y = ys + (nint)p * outPlane;
                var lanes = finish.Lanes(p % channels);
                Broadcast(ws + p % channels * 9, out var w0, out var w1, out var w2, out var w3, out var w4, out var w5, out var w6, out var w7, out var w8);
                int r = 0;
                for (; r + Block <= oh; r += Block)
                {
                    int ih = r - top;
                    float* p0 = Row(x, zero, ih, h, w), p1 = Row(x, zero, ih + 1, h, w), p2 = Row(x, zero, ih + 2, h, w);
                    float* p3 = Row(x, zero, ih + 3, h, w), p4 = Row(x, zero, ih + 4, h, w), p5 = Row(x, zero, ih + 5, h, w);
                    for (int s = 0; s < ow; s += 16)
                    {
                        int col = s - left;                   // input column of tap j = 0, lane 0
                        Vector512<float>* mk = table + s / 4;
                        var m0 = mk[0]; var m1 = mk[1]; var m2 = mk[2];
                        Load3(p0 + col, m0, m1, m2, out var x0, out var x1, out var x2);
                        var a0 = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p1 + col, m0, m1, m2, out x0, out x1, out x2);
                        a0 = NextRow(a0, x0, x1, x2, w3, w4, w5);
                        var a1 = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p2 + col, m0, m1, m2, out x0, out x1, out x2);
                        a0 = NextRow(a0, x0, x1, x2, w6, w7, w8);
                        a1 = NextRow(a1, x0, x1, x2, w3, w4, w5);
                        var a2 = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p3 + col, m0, m1, m2, out x0, out x1, out x2);
                        a1 = NextRow(a1, x0, x1, x2, w6, w7, w8);
                        a2 = NextRow(a2, x0, x1, x2, w3, w4, w5);
                        var a3 = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p4 + col, m0, m1, m2, out x0, out x1, out x2);
                        a2 = NextRow(a2, x0, x1, x2, w6, w7, w8);
                        a3 = NextRow(a3, x0, x1, x2, w3, w4, w5);
                        Load3(p5 + col, m0, m1, m2, out x0, out x1, out x2);
                        a3 = NextRow(a3, x0, x1, x2, w6, w7, w8);
                        var ms = mk[3];
                        float* target = y + r * ow + s;
                        Avx512F.MaskStore(target, ms, lanes.Apply<TActivation>(a0, ms));
                        Avx512F.MaskStore(target + ow, ms, lanes.Apply<TActivation>(a1, ms));
                        Avx512F.MaskStore(target + 2 * ow, ms, lanes.Apply<TActivation>(a2, ms));
                        Avx512F.MaskStore(target + 3 * ow, ms, lanes.Apply<TActivation>(a3, ms));
                    }
                }
                for (; r < oh; r++)
                {
                    float* p0 = Row(x, zero, r - top, h, w), p1 = Row(x, zero, r - top + 1, h, w), p2 = Row(x, zero, r - top + 2, h, w);
                    for (int s = 0; s < ow; s += 16)
                    {
                        int col = s - left;
                        Vector512<float>* mk = table + s / 4;
                        var m0 = mk[0]; var m1 = mk[1]; var m2 = mk[2];
                        Load3(p0 + col, m0, m1, m2, out var x0, out var x1, out var x2);
                        var a = FirstRow(x0, x1, x2, w0, w1, w2);
                        Load3(p1 + col, m0, m1, m2, out x0, out x1, out x2);
                        a = NextRow(a, x0, x1, x2, w3, w4, w5);
                        Load3(p2 + col, m0, m1, m2, out x0, out x1, out x2);
                        a = NextRow(a, x0, x1, x2, w6, w7, w8);
                        Avx512F.MaskStore(y + r * ow + s, mk[3], lanes.Apply<TActivation>(a, mk[3]));
                    }
                }
            }
        }
    }

    /// <summary>x0·a + x1·b + x2·c: the first kernel row of an output vector (no zero added first, so that the sum is
    /// the general kernel's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> FirstRow(Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.FusedMultiplyAdd(x2, c, Vector512.FusedMultiplyAdd(x1, b, x0 * a));

    /// <summary>acc + x0·a + x1·b + x2·c, added in that order: a further kernel row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> NextRow(Vector512<float> acc, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.FusedMultiplyAdd(x2, c, Vector512.FusedMultiplyAdd(x1, b, Vector512.FusedMultiplyAdd(x0, a, acc)));

    /// <summary>The nine weights of a 3×3 filter, each in all 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Broadcast(float* f, out Vector512<float> w0, out Vector512<float> w1, out Vector512<float> w2, out Vector512<float> w3,
        out Vector512<float> w4, out Vector512<float> w5, out Vector512<float> w6, out Vector512<float> w7, out Vector512<float> w8)
    {
        w0 = Vector512.Create(f[0]); w1 = Vector512.Create(f[1]); w2 = Vector512.Create(f[2]);
        w3 = Vector512.Create(f[3]); w4 = Vector512.Create(f[4]); w5 = Vector512.Create(f[5]);
        w6 = Vector512.Create(f[6]); w7 = Vector512.Create(f[7]); w8 = Vector512.Create(f[8]);
    }

    /// <summary>The three tap columns of 16 stride-1 outputs from the input row at <paramref name="p"/> (column
    /// s − left): p[k], p[k + 1], p[k + 2], lanes outside the row zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Load3(float* p, Vector512<float> m0, Vector512<float> m1, Vector512<float> m2,
        out Vector512<float> x0, out Vector512<float> x1, out Vector512<float> x2)
    {
        x0 = Avx512F.MaskLoad(p, m0, default);
        x1 = Avx512F.MaskLoad(p + 1, m1, default);
        x2 = Avx512F.MaskLoad(p + 2, m2, default);
    }

    /// <summary>The lanes k of a vector starting at column <paramref name="first"/> whose column first + k lies in
    /// [0, <paramref name="width"/>), as an AVX-512 load/store mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Inside(int first, int width) =>
        Vector512.LessThan((Vector512<int>.Indices + Vector512.Create(first)).AsUInt32(), Vector512.Create((uint)width)).AsSingle();

    /// <summary>Row <paramref name="row"/> of a [rows, width] plane, or a row of zeros when it lies outside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe float* Row(float* plane, float* zero, int row, int rows, int width) =>
        (uint)row < (uint)rows ? plane + (nint)row * width : zero;

    /// <summary>At least <paramref name="length"/> zeros (a shared, pinned, never-written array).</summary>
    internal static float[] Zeros(int length)
    {
        var current = zeros;
        if (current.Length >= length) return current;
        var larger = GC.AllocateArray<float>(Math.Max(length, 2 * current.Length), pinned: true);
        zeros = larger;
        return larger;
    }
}
