using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// <see cref="BlockedDepthwise"/> for AVX2 machines, in the layout NCHW8c (<see cref="BlockedLayout"/> with 8 lanes):
/// y[c, r, s] = clamp(Σ_{i, j} w[c, i, j] · x[c, r·stride − top + i, s·stride − left + j] + b[c]), the 3×3 depthwise
/// convolution (padding 0 or 1 per side, stride 1 or 2, zero outside the input) with its bias and a clamp.
/// </summary>
/// <remarks>8 channels at a time: one output position of a block is nine vector fused multiply-adds of whole input
/// vectors against the block's nine weight vectors, which stay in registers for a chunk's rows of one plane (nine of
/// the 16 ymm registers). Four outputs of a row at a time while all their taps are inside the input, each tap's input
/// read as the multiply-add's memory operand (four accumulators; no register left to keep the columns the four share);
/// the edge columns skip their outside taps, and rows above and below the input read a shared row of zeros
/// (<see cref="BlockedDepthwise.Zeros"/>). The summation order is the 16-channel kernel's: each output accumulates its
/// taps row by row, column by column, from zero, then adds the bias, then clamps — so the values equal
/// <see cref="BlockedDepthwise"/>'s bitwise and do not depend on the batch or the thread count.</remarks>
internal static unsafe class BlockedDepthwise8
{
    private const int Lanes = 8;

    /// <summary>y (blocked [N, ⌈C/8⌉, OH, OW, 8], overwritten) = the depthwise convolution of blocked x [N, ⌈C/8⌉, H, W, 8]
    /// with packed weights <paramref name="w"/> (<see cref="BlockedWeights.Depthwise"/>, 8 lanes) and packed bias
    /// <paramref name="bias"/>, then <paramref name="activation"/> (none or a clamp).</summary>
    public static void Forward(float[] x, int batch, int channels, int height, int width, int stride, (int Top, int Left, int Bottom, int Right) pads,
        float[] w, float[] bias, ConvActivation activation, float[] y,
        float[]? bits = null, BlockedOperand use = BlockedOperand.None, float lo = 0f, float hi = 0f)
    {
        var epilogue = new BlockedEpilogue(activation, bits is null ? BlockedOperand.None : use, lo, hi);   // refuses a leaky rectifier
        if (!BlockedDepthwise.Supports(height, width, stride, pads))
            throw new ArgumentException($"BlockedDepthwise8: stride {stride} with pads {pads} on {height}×{width}; only strides 1 and 2, pads 0 and 1, and a non-empty output are supported.", nameof(stride));
        int blocks = BlockedLayout.Blocks(channels, Lanes);
        int oh = BlockedDepthwise.OutputSize(height, stride, pads.Top, pads.Bottom), ow = BlockedDepthwise.OutputSize(width, stride, pads.Left, pads.Right);
        int top = pads.Top, left = pads.Left;
        if (w.Length < blocks * 9 * Lanes || bias.Length < blocks * Lanes)
            throw new ArgumentException($"BlockedDepthwise8: packed weights of {w.Length} floats and bias of {bias.Length} do not fit {channels} channels.");
        if (x.Length < BlockedLayout.Length(batch, channels, height * width, Lanes) || y.Length < BlockedLayout.Length(batch, channels, oh * ow, Lanes)
            || (bits is not null && bits.Length < BlockedEpilogue.BitFloats(BlockedLayout.Length(batch, channels, oh * ow, Lanes))))
            throw new ArgumentException($"BlockedDepthwise8: the blocked arrays (x {x.Length}, y {y.Length}) are too short for [{batch}, {channels}, {height}×{width}] at stride {stride}.");
        var zero = BlockedDepthwise.Zeros(width * Lanes);
        Parallelism.For(batch * blocks * oh, (long)ow * 9 * Lanes, (start, end) =>
        {
            fixed (float* xs = x, ws = w, bs = bias, ys = y, zs = zero)
            fixed (float* bitWords = bits)
            {
                var e = epilogue.UsesBits ? epilogue.WithBits(ys, (byte*)bitWords) : epilogue;
                for (int item = start; item < end;)
                {
                    // the rows of one plane in this chunk, with the block's weights loaded once
                    int plane = item / oh, r = item % oh, rows = Math.Min(end - item, oh - r), cb = plane % blocks;
                    float* input = xs + (nint)plane * height * width * Lanes, output = ys + (nint)plane * oh * ow * Lanes;
                    if (e.UsesBits) Rows<BlockedEpilogue.MaskBits>(input, zs, ws + cb * 9 * Lanes, Vector256.Load(bs + cb * Lanes), output, r, r + rows, height, width, ow, stride, top, left, e);
                    else Rows<BlockedEpilogue.NoBits>(input, zs, ws + cb * 9 * Lanes, Vector256.Load(bs + cb * Lanes), output, r, r + rows, height, width, ow, stride, top, left, e);
                    item += rows;
                }
            }
        });
    }

    private static float* Row(float* plane, float* zero, int row, int height, int width) =>
        row < 0 || row >= height ? zero : plane + (nint)row * width * Lanes;

    /// <summary>Output rows [<paramref name="from"/>, <paramref name="to"/>) of one block's plane: the interior columns
    /// four at a time, then one at a time, the edge columns by <see cref="Border"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TMode>(float* input, float* zero, float* w, Vector256<float> bias, float* output, int from, int to, int height, int width, int ow,
        int stride, int top, int left, in BlockedEpilogue epilogue) where TMode : struct, BlockedEpilogue.IBitsMode
    {
        var w0 = Vector256.Load(w); var w1 = Vector256.Load(w + 8); var w2 = Vector256.Load(w + 16);
        var w3 = Vector256.Load(w + 24); var w4 = Vector256.Load(w + 32); var w5 = Vector256.Load(w + 40);
        var w6 = Vector256.Load(w + 48); var w7 = Vector256.Load(w + 56); var w8 = Vector256.Load(w + 64);
        for (int r = from; r < to; r++)
        {
            float* row0 = Row(input, zero, r * stride - top, height, width), row1 = Row(input, zero, r * stride - top + 1, height, width);
            float* row2 = Row(input, zero, r * stride - top + 2, height, width);
            float* y = output + (nint)r * ow * Lanes;
            // interior columns: every tap column s·stride − left + j inside [0, width), from s = left (0 or 1) on
            int first = Math.Min(left, ow), last = Math.Min(ow, width - 3 + left >= 0 ? (width - 3 + left) / stride + 1 : 0);
            for (int edge = 0; edge < first; edge++) Border<TMode>(row0, row1, row2, w, bias, y, width, edge, stride, left, epilogue);
            nint column = (nint)first * stride - left, step = (nint)stride * Lanes;
            float* p0 = row0 + column * Lanes, p1 = row1 + column * Lanes, p2 = row2 + column * Lanes;
            int s = first;
            for (; s + 4 <= last; s += 4, p0 += 4 * step, p1 += 4 * step, p2 += 4 * step)
            {
                Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero;
                a0 = Taps(a0, p0, w0, w1, w2); a1 = Taps(a1, p0 + step, w0, w1, w2); a2 = Taps(a2, p0 + 2 * step, w0, w1, w2); a3 = Taps(a3, p0 + 3 * step, w0, w1, w2);
                a0 = Taps(a0, p1, w3, w4, w5); a1 = Taps(a1, p1 + step, w3, w4, w5); a2 = Taps(a2, p1 + 2 * step, w3, w4, w5); a3 = Taps(a3, p1 + 3 * step, w3, w4, w5);
                a0 = Taps(a0, p2, w6, w7, w8); a1 = Taps(a1, p2 + step, w6, w7, w8); a2 = Taps(a2, p2 + 2 * step, w6, w7, w8); a3 = Taps(a3, p2 + 3 * step, w6, w7, w8);
                epilogue.Store<TMode>(a0, bias, null, y + (nint)s * Lanes);
                epilogue.Store<TMode>(a1, bias, null, y + (nint)(s + 1) * Lanes);
                epilogue.Store<TMode>(a2, bias, null, y + (nint)(s + 2) * Lanes);
                epilogue.Store<TMode>(a3, bias, null, y + (nint)(s + 3) * Lanes);
            }
            for (; s < last; s++, p0 += step, p1 += step, p2 += step)
                epilogue.Store<TMode>(Taps(Taps(Taps(Vector256<float>.Zero, p0, w0, w1, w2), p1, w3, w4, w5), p2, w6, w7, w8), bias, null, y + (nint)s * Lanes);
            for (s = Math.Max(first, last); s < ow; s++) Border<TMode>(row0, row1, row2, w, bias, y, width, s, stride, left, epilogue);
        }
    }

    /// <summary>One kernel row's three taps on one output whose first tap column is at <paramref name="p"/>:
    /// ((a + p[0]·wa) + p[1]·wb) + p[2]·wc, each a fused multiply-add reading its input from memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Taps(Vector256<float> a, float* p, Vector256<float> wa, Vector256<float> wb, Vector256<float> wc) =>
        Vector256.FusedMultiplyAdd(Vector256.Load(p + 2 * Lanes), wc, Vector256.FusedMultiplyAdd(Vector256.Load(p + Lanes), wb, Vector256.FusedMultiplyAdd(Vector256.Load(p), wa, a)));

    /// <summary>Output column <paramref name="s"/>, skipping the taps whose column is outside the input (a plane one
    /// column wide, or the first and last columns under a pad).</summary>
    private static void Border<TMode>(float* row0, float* row1, float* row2, float* w, Vector256<float> bias, float* y, int width, int s, int stride, int left, in BlockedEpilogue epilogue) where TMode : struct, BlockedEpilogue.IBitsMode
    {
        int column = s * stride - left, from = Math.Max(0, -column), to = Math.Min(3, width - column);
        var a = Vector256<float>.Zero;
        for (int i = 0; i < 3; i++)
        {
            float* row = (i == 0 ? row0 : i == 1 ? row1 : row2) + (nint)column * Lanes;
            for (int j = from; j < to; j++)
                a = Vector256.FusedMultiplyAdd(Vector256.Load(row + j * Lanes), Vector256.Load(w + (i * 3 + j) * Lanes), a);
        }
        epilogue.Store<TMode>(a, bias, null, y + (nint)s * Lanes);
    }
}
