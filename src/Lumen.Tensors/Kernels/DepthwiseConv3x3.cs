using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The 3×3, stride-1, undilated depthwise convolution of MobileNet-style networks (and, with the kernel flipped, the
/// input gradient of every stride-1 depthwise layer), register-blocked: the nine weights stay in registers and four
/// output rows are computed together, so each input vector is loaded once for up to three of them — about 4.5 loads
/// per 16 outputs instead of 18. The bias and activation (<see cref="ConvEpilogue"/>) are applied in registers
/// before each store.
/// </summary>
/// <remarks>y[r, s] = Σ_{i, j} w[i, j] · x[r − top + i, s − left + j], zero outside the input. The kernel reads the
/// input in place: AVX-512 masked loads zero the lanes whose column leaves the row, rows outside the input read a
/// shared row of zeros, and masked stores write the ragged last vector of a row (no padded copy, no scalar tail).
/// Each output accumulates its taps
/// in the general kernel's order (kernel row by row, column by column, from zero), so the values equal it except that
/// a zero tap may turn a −0 sum into +0.</remarks>
internal static class DepthwiseConv3x3
{
    /// <summary>Output rows computed together.</summary>
    private const int Block = 4;

    // read-only zeros standing in for the rows above and below the input (never written, so shared by all threads)
    private static float[] zeros = GC.AllocateArray<float>(4096, pinned: true);

    /// <summary>True for 3×3 kernels with stride 1, dilation 1 and non-negative padding on AVX-512 hardware.</summary>
    public static bool Applies(in ConvGeometry g) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideH == 1 && g.StrideW == 1
        && g.DilationH == 1 && g.DilationW == 1 && g.PadTop >= 0 && g.PadLeft >= 0 && g.PadBottom >= 0 && g.PadRight >= 0;

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
            case ConvActivationKind.Clamp: Run<ConvEpilogue.ClampOperation>(x, w, y, g, finish, start, end); break;
            case ConvActivationKind.Leaky: Run<ConvEpilogue.LeakyOperation>(x, w, y, g, finish, start, end); break;
            default: Run<ConvEpilogue.BiasOnly>(x, w, y, g, finish, start, end); break;
        }
    }

    // one instance per activation, so that the store finishes without a branch on the kind; the plane loop is inside,
    // so that small planes (7×7) pay the set-up once
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Run<TActivation>(float* xs, float* ws, float* ys, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
        where TActivation : struct, ConvEpilogue.IActivationOperation
    {
        int ow = g.OutWidth, oh = g.OutHeight, w = g.InWidth, h = g.InHeight, top = g.PadTop, left = g.PadLeft, channels = g.InChannels;
        int inPlane = h * w, outPlane = oh * ow;
        fixed (float* zero = Zeros(w))
        {
            for (int p = start; p < end; p++)
            {
                float* x = xs + (nint)p * inPlane, y = ys + (nint)p * outPlane, filter = ws + p % channels * 9;
                var lanes = finish.Lanes(p % channels);
                var w0 = Vector512.Create(filter[0]); var w1 = Vector512.Create(filter[1]); var w2 = Vector512.Create(filter[2]);
                var w3 = Vector512.Create(filter[3]); var w4 = Vector512.Create(filter[4]); var w5 = Vector512.Create(filter[5]);
                var w6 = Vector512.Create(filter[6]); var w7 = Vector512.Create(filter[7]); var w8 = Vector512.Create(filter[8]);
                int r = 0;
                for (; r + Block <= oh; r += Block)
                {
                    int ih = r - top;
                    float* p0 = Row(x, zero, ih, h, w), p1 = Row(x, zero, ih + 1, h, w), p2 = Row(x, zero, ih + 2, h, w);
                    float* p3 = Row(x, zero, ih + 3, h, w), p4 = Row(x, zero, ih + 4, h, w), p5 = Row(x, zero, ih + 5, h, w);
                    for (int s = 0; s < ow; s += 16)
                    {
                        int col = s - left;                   // input column of tap j = 0, lane 0
                        var m0 = Inside(col, w); var m1 = Inside(col + 1, w); var m2 = Inside(col + 2, w);
                        float* q = p0 + col;
                        var x0 = Avx512F.MaskLoad(q, m0, default); var x1 = Avx512F.MaskLoad(q + 1, m1, default); var x2 = Avx512F.MaskLoad(q + 2, m2, default);
                        var a0 = Vector512.FusedMultiplyAdd(x2, w2, Vector512.FusedMultiplyAdd(x1, w1, x0 * w0));
                        q = p1 + col;
                        x0 = Avx512F.MaskLoad(q, m0, default); x1 = Avx512F.MaskLoad(q + 1, m1, default); x2 = Avx512F.MaskLoad(q + 2, m2, default);
                        a0 = Vector512.FusedMultiplyAdd(x2, w5, Vector512.FusedMultiplyAdd(x1, w4, Vector512.FusedMultiplyAdd(x0, w3, a0)));
                        var a1 = Vector512.FusedMultiplyAdd(x2, w2, Vector512.FusedMultiplyAdd(x1, w1, x0 * w0));
                        q = p2 + col;
                        x0 = Avx512F.MaskLoad(q, m0, default); x1 = Avx512F.MaskLoad(q + 1, m1, default); x2 = Avx512F.MaskLoad(q + 2, m2, default);
                        a0 = Vector512.FusedMultiplyAdd(x2, w8, Vector512.FusedMultiplyAdd(x1, w7, Vector512.FusedMultiplyAdd(x0, w6, a0)));
                        a1 = Vector512.FusedMultiplyAdd(x2, w5, Vector512.FusedMultiplyAdd(x1, w4, Vector512.FusedMultiplyAdd(x0, w3, a1)));
                        var a2 = Vector512.FusedMultiplyAdd(x2, w2, Vector512.FusedMultiplyAdd(x1, w1, x0 * w0));
                        q = p3 + col;
                        x0 = Avx512F.MaskLoad(q, m0, default); x1 = Avx512F.MaskLoad(q + 1, m1, default); x2 = Avx512F.MaskLoad(q + 2, m2, default);
                        a1 = Vector512.FusedMultiplyAdd(x2, w8, Vector512.FusedMultiplyAdd(x1, w7, Vector512.FusedMultiplyAdd(x0, w6, a1)));
                        a2 = Vector512.FusedMultiplyAdd(x2, w5, Vector512.FusedMultiplyAdd(x1, w4, Vector512.FusedMultiplyAdd(x0, w3, a2)));
                        var a3 = Vector512.FusedMultiplyAdd(x2, w2, Vector512.FusedMultiplyAdd(x1, w1, x0 * w0));
                        q = p4 + col;
                        x0 = Avx512F.MaskLoad(q, m0, default); x1 = Avx512F.MaskLoad(q + 1, m1, default); x2 = Avx512F.MaskLoad(q + 2, m2, default);
                        a2 = Vector512.FusedMultiplyAdd(x2, w8, Vector512.FusedMultiplyAdd(x1, w7, Vector512.FusedMultiplyAdd(x0, w6, a2)));
                        a3 = Vector512.FusedMultiplyAdd(x2, w5, Vector512.FusedMultiplyAdd(x1, w4, Vector512.FusedMultiplyAdd(x0, w3, a3)));
                        q = p5 + col;
                        x0 = Avx512F.MaskLoad(q, m0, default); x1 = Avx512F.MaskLoad(q + 1, m1, default); x2 = Avx512F.MaskLoad(q + 2, m2, default);
                        a3 = Vector512.FusedMultiplyAdd(x2, w8, Vector512.FusedMultiplyAdd(x1, w7, Vector512.FusedMultiplyAdd(x0, w6, a3)));
                        var ms = Inside(s, ow);
                        float* target = y + r * ow + s;
                        Avx512F.MaskStore(target, ms, lanes.Apply<TActivation>(a0));
                        Avx512F.MaskStore(target + ow, ms, lanes.Apply<TActivation>(a1));
                        Avx512F.MaskStore(target + 2 * ow, ms, lanes.Apply<TActivation>(a2));
                        Avx512F.MaskStore(target + 3 * ow, ms, lanes.Apply<TActivation>(a3));
                    }
                }
                for (; r < oh; r++)
                {
                    float* p0 = Row(x, zero, r - top, h, w), p1 = Row(x, zero, r - top + 1, h, w), p2 = Row(x, zero, r - top + 2, h, w);
                    for (int s = 0; s < ow; s += 16)
                    {
                        int col = s - left;
                        var m0 = Inside(col, w); var m1 = Inside(col + 1, w); var m2 = Inside(col + 2, w);
                        float* q = p0 + col;
                        var a = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(q + 2, m2, default), w2,
                            Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(q + 1, m1, default), w1, Avx512F.MaskLoad(q, m0, default) * w0));
                        q = p1 + col;
                        a = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(q + 2, m2, default), w5, Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(q + 1, m1, default), w4,
                            Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(q, m0, default), w3, a)));
                        q = p2 + col;
                        a = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(q + 2, m2, default), w8, Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(q + 1, m1, default), w7,
                            Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(q, m0, default), w6, a)));
                        Avx512F.MaskStore(y + r * ow + s, Inside(s, ow), lanes.Apply<TActivation>(a));
                    }
                }
            }
        }
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
