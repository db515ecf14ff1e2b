using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Lumen.Tensors.Kernels.DepthwiseConv3x3;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The forward pass of <see cref="DepthwiseConv3x3"/> on small planes (MobileNet's 14×14 → 7×7 and 7×7 → 7×7 layers):
/// two output rows to a vector, in place in the NCHW planes. Each input row fits one vector; for a pair of output rows
/// each tap's 16 inputs are picked from the two input rows under it by one two-source permute (AVX-512 vpermt2ps),
/// and the pair is stored as one masked store — two consecutive rows of a plane are contiguous.
/// </summary>
/// <remarks>Lane l of the pair (r, r + 1) is output (r + l / OW, l mod OW); for tap (i, j) its index selects input column
/// (l mod OW)·stride + j − left of row (r + l / OW)·stride + i − top from the rows loaded (masked to the input's width,
/// zeros past it), or a lane past the width (a zero) when the column lies outside the input. Each output multiplies
/// and adds its nine taps, padding zeros included, in <see cref="DepthwiseConv3x3"/>'s order (kernel row by row, the
/// first tap multiplied), and is finished by the same <see cref="ConvEpilogue.ChannelLanes"/>: bitwise that kernel's
/// result, and so <see cref="DepthwiseConv3x3ChannelsLast"/>'s, which it replaces on these planes without the two
/// transposes. Measured in MobileNetV2's forward at batch 1, one thread (in-context node profile): see
/// <see cref="Applies"/>.</remarks>
internal static class DepthwiseConv3x3RowPairs
{
    /// <summary>Where <see cref="DepthwiseConv3x3.Applies"/> holds, the output rows are at most 8 wide (two to a
    /// vector) and the input rows at most 15 (one to a vector, with a zero lane past it for the taps outside). Measured
    /// against <see cref="DepthwiseConv3x3ChannelsLast"/> in MobileNetV2's forward (per-node minimum of 3 alternated
    /// <c>--profile</c> rounds, one thread, shared machine): 576 × 14² stride 2 59–63 → 31–34 µs at batch 1 and 1.54 →
    /// 0.42 ms at batch 16; 960 × 7² stride 1 50–72 → 40–42 µs and 0.85–1.02 → 0.67–0.69 ms. Alone, with its input hot
    /// (<c>bench depthwise</c>), the stride-1 layer ran no faster at batch 1 and slower at batch 16 (0.46 → 0.63 ms):
    /// in the forward the channels-last kernel's transposes meet a colder input.</summary>
    public static bool Applies(in ConvGeometry g) => DepthwiseConv3x3.Applies(g) && g.OutWidth <= 8 && g.InWidth <= 15;

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Run<TActivation>(float* xs, float* ws, float* ys, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
        where TActivation : struct, ConvEpilogue.IActivationOperation
    {
        int ow = g.OutWidth, oh = g.OutHeight, width = g.InWidth, h = g.InHeight, stride = g.StrideW, top = g.PadTop, channels = g.InChannels;
        int inPlane = h * width, outPlane = oh * ow;
        var j0 = Indices(ow, stride, 0 - g.PadLeft, width);
        var j1 = Indices(ow, stride, 1 - g.PadLeft, width);
        var j2 = Indices(ow, stride, 2 - g.PadLeft, width);
        var row = Inside(0, width);
        var pair = Inside(0, 2 * ow);
        var single = Inside(0, ow);
        for (int p = start, c = start % channels; p < end; p++, c = c + 1 == channels ? 0 : c + 1)
        {
            float* x = xs + (nint)p * inPlane, y = ys + (nint)p * outPlane;
            var lanes = finish.Lanes(c);
            Broadcast(ws + c * 9, out var w0, out var w1, out var w2, out var w3, out var w4, out var w5, out var w6, out var w7, out var w8);
            for (int r = 0; r < oh; r += 2, y += 2 * ow)
            {
                // input rows first, first + 1, … under output rows r and r + 1: the upper row's taps read rows
                // first + i, the lower row's first + stride + i (zeros outside the plane or past the last output row)
                int first = r * stride - top;
                bool both = r + 1 < oh;
                var r0 = Load(x, first, h, width, row);
                var r1 = Load(x, first + 1, h, width, row);
                var r2 = Load(x, first + 2, h, width, row);
                var r3 = both ? Load(x, first + 3, h, width, row) : default;
                var r4 = both && stride == 2 ? Load(x, first + 4, h, width, row) : default;
                Vector512<float> b0, b1, b2;
                if (stride == 1) { b0 = r1; b1 = r2; b2 = r3; }
                else { b0 = r2; b1 = r3; b2 = r4; }
                var acc = FirstRow(Pick(r0, j0, b0), Pick(r0, j1, b0), Pick(r0, j2, b0), w0, w1, w2);
                acc = NextRow(acc, Pick(r1, j0, b1), Pick(r1, j1, b1), Pick(r1, j2, b1), w3, w4, w5);
                acc = NextRow(acc, Pick(r2, j0, b2), Pick(r2, j1, b2), Pick(r2, j2, b2), w6, w7, w8);
                var stored = both ? pair : single;
                Avx512F.MaskStore(y, stored, lanes.Apply<TActivation>(acc, stored));
            }
        }
    }

    /// <summary>Lane l of the pick from (upper row, lower row): (l / ow)·16 + the input column (l mod ow)·stride + offset,
    /// or lane 15 of the upper row (a zero past the input's width) when that column lies outside [0, width).</summary>
    private static Vector512<int> Indices(int ow, int stride, int offset, int width)
    {
        Span<int> lanes = stackalloc int[16];
        for (int l = 0; l < 16; l++)
        {
            int column = l % ow * stride + offset;
            lanes[l] = (uint)column < (uint)width ? l / ow % 2 * 16 + column : 15;
        }
        return Vector512.Create<int>(lanes);
    }

    /// <summary>Input row <paramref name="row"/>'s <paramref name="width"/> values, zeros past them; all zeros when the
    /// row lies outside the plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Load(float* plane, int row, int rows, int width, Vector512<float> mask) =>
        (uint)row < (uint)rows ? Avx512F.MaskLoad(plane + (nint)row * width, mask, Vector512<float>.Zero) : Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pick(Vector512<float> upper, Vector512<int> indices, Vector512<float> lower) =>
        Avx512F.PermuteVar16x32x2(upper, indices, lower);
}
