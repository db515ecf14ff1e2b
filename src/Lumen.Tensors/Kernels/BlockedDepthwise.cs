using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// A 3×3 depthwise convolution (group = C, padding 0 or 1 on each side, stride 1 or 2, dilation 1) of channel-blocked
/// activations (<see cref="BlockedLayout"/>), with its bias and a clamp (ReLU, ReLU6) applied as it writes:
/// y[c, r, s] = clamp(Σ_{i, j} w[c, i, j] · x[c, r·stride − top + i, s·stride − left + j] + b[c]), zero outside the input
/// (MobileNetV2 pads 1 on every side at stride 1, and 0 before, 1 after at stride 2 — TensorFlow's SAME).
/// </summary>
/// <remarks>16 channels at a time, as ONNX Runtime's NCHWc depthwise kernel: one output position of a block is nine
/// vector fused multiply-adds of whole input vectors against the block's nine weight vectors, no shuffles and no
/// masks. Rows above and below the input read a shared row of zeros, so the interior columns of every output row run
/// without a branch; only the first and (when the input's last column is a tap's) last column skip their outside taps,
/// inline from the same registers. A chunk's consecutive rows of one plane run in one call with no call inside, so the
/// nine weight vectors stay in registers (a call would make the JIT spill and reload them every four outputs).
/// Each output accumulates its taps row by row, column by column, from zero, then adds the bias, then clamps, on every
/// path, so values do not depend on the batch or the thread count (a zero tap may only turn a −0 sum into +0).</remarks>
internal static unsafe class BlockedDepthwise
{
    private const int Lanes = BlockedLayout.Lanes;

    // read-only zeros standing in for the rows above and below the input (never written, so shared by all threads)
    private static float[] zeros = GC.AllocateArray<float>(4096, pinned: true);

    /// <summary>The output side of an input side <paramref name="size"/> padded by <paramref name="before"/> and
    /// <paramref name="after"/> at <paramref name="stride"/> (<see cref="BlockedLayout.OutputSize"/> of the 3-wide kernel).</summary>
    public static int OutputSize(int size, int stride, int before, int after) => BlockedLayout.OutputSize(size, 3, stride, before, after);

    /// <summary>Whether the kernel runs this geometry: stride 1 or 2, each pad 0 or 1, an output of at least one position.</summary>
    public static bool Supports(int height, int width, int stride, (int Top, int Left, int Bottom, int Right) pads) =>
        stride is 1 or 2 && pads.Top is 0 or 1 && pads.Left is 0 or 1 && pads.Bottom is 0 or 1 && pads.Right is 0 or 1
        && height + pads.Top + pads.Bottom >= 3 && width + pads.Left + pads.Right >= 3;

    /// <summary>y (blocked [N, ⌈C/16⌉, OH, OW, 16], overwritten) = the depthwise convolution of blocked x [N, ⌈C/16⌉, H, W, 16]
    /// with packed weights <paramref name="w"/> (<see cref="BlockedWeights.Depthwise"/>) and packed bias
    /// <paramref name="bias"/>, then <paramref name="activation"/> (none or a clamp).</summary>
    public static void Forward(float[] x, int batch, int channels, int height, int width, int stride, (int Top, int Left, int Bottom, int Right) pads,
        float[] w, float[] bias, ConvActivation activation, float[] y,
        float[]? bits = null, BlockedOperand use = BlockedOperand.None, float lo = 0f, float hi = 0f)
    {
        var epilogue = new BlockedEpilogue(activation, bits is null ? BlockedOperand.None : use, lo, hi);   // refuses a leaky rectifier
        if (!Supports(height, width, stride, pads))
            throw new ArgumentException($"BlockedDepthwise: stride {stride} with pads {pads} on {height}×{width}; only strides 1 and 2, pads 0 and 1, and a non-empty output are supported.", nameof(stride));
        int blocks = BlockedLayout.Blocks(channels), oh = OutputSize(height, stride, pads.Top, pads.Bottom), ow = OutputSize(width, stride, pads.Left, pads.Right);
        int top = pads.Top, left = pads.Left;
        if (w.Length < blocks * 9 * Lanes || bias.Length < blocks * Lanes)
            throw new ArgumentException($"BlockedDepthwise: packed weights of {w.Length} floats and bias of {bias.Length} do not fit {channels} channels.");
        if (x.Length < BlockedLayout.Length(batch, channels, height * width) || y.Length < BlockedLayout.Length(batch, channels, oh * ow)
            || (bits is not null && bits.Length < BlockedEpilogue.BitFloats(BlockedLayout.Length(batch, channels, oh * ow))))
            throw new ArgumentException($"BlockedDepthwise: the blocked arrays (x {x.Length}, y {y.Length}) are too short for [{batch}, {channels}, {height}×{width}] at stride {stride}.");
        var zero = Zeros(width * Lanes);
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
                    var b = Vector512.Load(bs + cb * Lanes);
                    float* wb = ws + cb * 9 * Lanes;
                    if (width >= 2 && e.UsesBits) Rows<BlockedEpilogue.MaskBits>(input, zs, wb, b, output, r, r + rows, height, width, ow, stride, top, left, e);
                    else if (width >= 2) Rows<BlockedEpilogue.NoBits>(input, zs, wb, b, output, r, r + rows, height, width, ow, stride, top, left, e);
                    else if (e.UsesBits) Narrow<BlockedEpilogue.MaskBits>(input, zs, wb, b, output, r, r + rows, height, ow, stride, top, left, e);
                    else Narrow<BlockedEpilogue.NoBits>(input, zs, wb, b, output, r, r + rows, height, ow, stride, top, left, e);
                    item += rows;
                }
            }
        });
    }

    private static float* Row(float* plane, float* zero, int row, int height, int width) =>
        row < 0 || row >= height ? zero : plane + (nint)row * width * Lanes;

    /// <summary>At least <paramref name="length"/> read-only zeros.</summary>
    internal static float[] Zeros(int length)
    {
        var current = Volatile.Read(ref zeros);
        if (current.Length >= length) return current;
        var larger = GC.AllocateArray<float>(length, pinned: true);
        Interlocked.CompareExchange(ref zeros, larger, current);
        return larger;
    }

    /// <summary>Output rows [<paramref name="from"/>, <paramref name="to"/>) of one block's plane one column wide (so
    /// padded on both sides), each column by <see cref="Border"/>.</summary>
    private static void Narrow<TMode>(float* input, float* zero, float* w, Vector512<float> bias, float* output, int from, int to, int height, int ow,
        int stride, int top, int left, in BlockedEpilogue epilogue) where TMode : struct, BlockedEpilogue.IBitsMode
    {
        for (int r = from; r < to; r++)
            for (int s = 0; s < ow; s++)
                Border<TMode>(Row(input, zero, r * stride - top, height, 1), Row(input, zero, r * stride - top + 1, height, 1), Row(input, zero, r * stride - top + 2, height, 1),
                    w, bias, output + (nint)r * ow * Lanes, 1, s, stride, left, epilogue);
    }

    /// <summary>Output rows [<paramref name="from"/>, <paramref name="to"/>) of one block's plane at least two columns
    /// wide, without a call, so that the nine weight vectors stay in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TMode>(float* input, float* zero, float* w, Vector512<float> bias, float* output, int from, int to, int height, int width, int ow,
        int stride, int top, int left, in BlockedEpilogue epilogue) where TMode : struct, BlockedEpilogue.IBitsMode
    {
        var w0 = Vector512.Load(w); var w1 = Vector512.Load(w + 16); var w2 = Vector512.Load(w + 32);
        var w3 = Vector512.Load(w + 48); var w4 = Vector512.Load(w + 64); var w5 = Vector512.Load(w + 80);
        var w6 = Vector512.Load(w + 96); var w7 = Vector512.Load(w + 112); var w8 = Vector512.Load(w + 128);
        for (int r = from; r < to; r++)
        {
            float* row0 = Row(input, zero, r * stride - top, height, width), row1 = Row(input, zero, r * stride - top + 1, height, width);
            float* row2 = Row(input, zero, r * stride - top + 2, height, width);
            float* y = output + (nint)r * ow * Lanes;
            // interior columns: every tap column s·stride − left + j inside [0, width), from s = left (0 or 1) on
            int first = left, last = Math.Min(ow, width - 3 + left >= 0 ? (width - 3 + left) / stride + 1 : 0);
            for (int edge = 0; edge < Math.Min(first, ow); edge++) Edge<TMode>(row0, row1, row2, w0, w1, w2, w3, w4, w5, w6, w7, w8, bias, y, width, edge, stride, left, epilogue);
            nint column = first * stride - left;
            float* p0 = row0 + column * Lanes, p1 = row1 + column * Lanes, p2 = row2 + column * Lanes;
            int s = first;
            // four outputs at a time, sharing the loads of the columns they overlap (stride 1: 6 columns, not 12, per row)
            if (stride == 1) s = Quads<Stride1, TMode>(p0, p1, p2, w0, w1, w2, w3, w4, w5, w6, w7, w8, bias, y, s, last, epilogue);
            else s = Quads<Stride2, TMode>(p0, p1, p2, w0, w1, w2, w3, w4, w5, w6, w7, w8, bias, y, s, last, epilogue);
            nint advanced = (nint)(s - first) * stride * Lanes;
            p0 += advanced;
            p1 += advanced;
            p2 += advanced;
            nint step = stride * Lanes;
            for (; s < last; s++, p0 += step, p1 += step, p2 += step)
            {
                var a = Vector512.FusedMultiplyAdd(Vector512.Load(p0), w0, Vector512<float>.Zero);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(p0 + 16), w1, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(p0 + 32), w2, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(p1), w3, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(p1 + 16), w4, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(p1 + 32), w5, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(p2), w6, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(p2 + 16), w7, a);
                a = Vector512.FusedMultiplyAdd(Vector512.Load(p2 + 32), w8, a);
                epilogue.Store<TMode>(a, bias, null, y + (nint)s * Lanes);
            }
            for (s = Math.Max(first, last); s < ow; s++) Edge<TMode>(row0, row1, row2, w0, w1, w2, w3, w4, w5, w6, w7, w8, bias, y, width, s, stride, left, epilogue);
        }
    }

    private interface IStride { static abstract int Value { get; } }
    private struct Stride1 : IStride { public static int Value => 1; }
    private struct Stride2 : IStride { public static int Value => 2; }

    /// <summary>Output columns from <paramref name="s"/> on, four at a time while all four are interior (before
    /// <paramref name="last"/>); returns the first column not done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Quads<TStride, TMode>(float* p0, float* p1, float* p2, Vector512<float> w0, Vector512<float> w1, Vector512<float> w2,
        Vector512<float> w3, Vector512<float> w4, Vector512<float> w5, Vector512<float> w6, Vector512<float> w7, Vector512<float> w8,
        Vector512<float> bias, float* y, int s, int last, in BlockedEpilogue epilogue) where TStride : struct, IStride where TMode : struct, BlockedEpilogue.IBitsMode
    {
        bool one = TStride.Value == 1;
        for (; s + 4 <= last; s += 4, p0 += 4 * TStride.Value * Lanes, p1 += 4 * TStride.Value * Lanes, p2 += 4 * TStride.Value * Lanes)
        {
            // output k reads columns k·stride + j: stride 1 loads 6 columns per kernel row, stride 2 loads 9
            Vector512<float> a0 = Vector512<float>.Zero, a1 = Vector512<float>.Zero, a2 = Vector512<float>.Zero, a3 = Vector512<float>.Zero;
            var x0 = Vector512.Load(p0); var x1 = Vector512.Load(p0 + 16); var x2 = Vector512.Load(p0 + 32);
            var x3 = Vector512.Load(p0 + 48); var x4 = Vector512.Load(p0 + 64); var x5 = Vector512.Load(p0 + 80);
            var x6 = one ? x5 : Vector512.Load(p0 + 96); var x7 = one ? x5 : Vector512.Load(p0 + 112); var x8 = one ? x5 : Vector512.Load(p0 + 128);
            a0 = Taps(a0, x0, x1, x2, w0, w1, w2);
            a1 = one ? Taps(a1, x1, x2, x3, w0, w1, w2) : Taps(a1, x2, x3, x4, w0, w1, w2);
            a2 = one ? Taps(a2, x2, x3, x4, w0, w1, w2) : Taps(a2, x4, x5, x6, w0, w1, w2);
            a3 = one ? Taps(a3, x3, x4, x5, w0, w1, w2) : Taps(a3, x6, x7, x8, w0, w1, w2);
            x0 = Vector512.Load(p1); x1 = Vector512.Load(p1 + 16); x2 = Vector512.Load(p1 + 32);
            x3 = Vector512.Load(p1 + 48); x4 = Vector512.Load(p1 + 64); x5 = Vector512.Load(p1 + 80);
            x6 = one ? x5 : Vector512.Load(p1 + 96); x7 = one ? x5 : Vector512.Load(p1 + 112); x8 = one ? x5 : Vector512.Load(p1 + 128);
            a0 = Taps(a0, x0, x1, x2, w3, w4, w5);
            a1 = one ? Taps(a1, x1, x2, x3, w3, w4, w5) : Taps(a1, x2, x3, x4, w3, w4, w5);
            a2 = one ? Taps(a2, x2, x3, x4, w3, w4, w5) : Taps(a2, x4, x5, x6, w3, w4, w5);
            a3 = one ? Taps(a3, x3, x4, x5, w3, w4, w5) : Taps(a3, x6, x7, x8, w3, w4, w5);
            x0 = Vector512.Load(p2); x1 = Vector512.Load(p2 + 16); x2 = Vector512.Load(p2 + 32);
            x3 = Vector512.Load(p2 + 48); x4 = Vector512.Load(p2 + 64); x5 = Vector512.Load(p2 + 80);
            x6 = one ? x5 : Vector512.Load(p2 + 96); x7 = one ? x5 : Vector512.Load(p2 + 112); x8 = one ? x5 : Vector512.Load(p2 + 128);
            a0 = Taps(a0, x0, x1, x2, w6, w7, w8);
            a1 = one ? Taps(a1, x1, x2, x3, w6, w7, w8) : Taps(a1, x2, x3, x4, w6, w7, w8);
            a2 = one ? Taps(a2, x2, x3, x4, w6, w7, w8) : Taps(a2, x4, x5, x6, w6, w7, w8);
            a3 = one ? Taps(a3, x3, x4, x5, w6, w7, w8) : Taps(a3, x6, x7, x8, w6, w7, w8);
            epilogue.Store<TMode>(a0, bias, null, y + (nint)s * Lanes);
            epilogue.Store<TMode>(a1, bias, null, y + (nint)(s + 1) * Lanes);
            epilogue.Store<TMode>(a2, bias, null, y + (nint)(s + 2) * Lanes);
            epilogue.Store<TMode>(a3, bias, null, y + (nint)(s + 3) * Lanes);
        }
        return s;
    }

    /// <summary>One kernel row's three taps on one output: ((a + x0·wa) + x1·wb) + x2·wc, each a fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Taps(Vector512<float> a, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2,
        Vector512<float> wa, Vector512<float> wb, Vector512<float> wc) =>
        Vector512.FusedMultiplyAdd(x2, wc, Vector512.FusedMultiplyAdd(x1, wb, Vector512.FusedMultiplyAdd(x0, wa, a)));

    /// <summary>Output column <paramref name="s"/> next to an edge of a plane at least two columns wide: a left pad's
    /// column (taps 1 and 2 of each row) or a right pad's (taps 0 and 1), the only edge columns that pads of 0 or 1 leave.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Edge<TMode>(float* row0, float* row1, float* row2, Vector512<float> w0, Vector512<float> w1, Vector512<float> w2,
        Vector512<float> w3, Vector512<float> w4, Vector512<float> w5, Vector512<float> w6, Vector512<float> w7, Vector512<float> w8,
        Vector512<float> bias, float* y, int width, int s, int stride, int left, in BlockedEpilogue epilogue) where TMode : struct, BlockedEpilogue.IBitsMode
    {
        nint column = (nint)s * stride - left;
        Debug.Assert(width >= 2 && (column == -1 || column == width - 2));
        // two input columns per kernel row: 0 and 1 under taps 1 and 2 (left pad), or width − 2 and width − 1 under taps 0 and 1
        float* p0 = row0, p1 = row1, p2 = row2;
        Vector512<float> a0 = w1, b0 = w2, a1 = w4, b1 = w5, a2 = w7, b2 = w8;
        if (column != -1)
        {
            p0 += column * Lanes;
            p1 += column * Lanes;
            p2 += column * Lanes;
            (a0, b0, a1, b1, a2, b2) = (w0, w1, w3, w4, w6, w7);
        }
        var a = Vector512.FusedMultiplyAdd(Vector512.Load(p0), a0, Vector512<float>.Zero);
        a = Vector512.FusedMultiplyAdd(Vector512.Load(p0 + 16), b0, a);
        a = Vector512.FusedMultiplyAdd(Vector512.Load(p1), a1, a);
        a = Vector512.FusedMultiplyAdd(Vector512.Load(p1 + 16), b1, a);
        a = Vector512.FusedMultiplyAdd(Vector512.Load(p2), a2, a);
        a = Vector512.FusedMultiplyAdd(Vector512.Load(p2 + 16), b2, a);
        epilogue.Store<TMode>(a, bias, null, y + (nint)s * Lanes);
    }

    /// <summary>Output column <paramref name="s"/>, skipping the taps whose column is outside the input.</summary>
    private static void Border<TMode>(float* row0, float* row1, float* row2, float* w, Vector512<float> bias, float* y, int width, int s, int stride, int left, in BlockedEpilogue epilogue) where TMode : struct, BlockedEpilogue.IBitsMode
    {
        int column = s * stride - left, from = Math.Max(0, -column), to = Math.Min(3, width - column);
        var a = Vector512<float>.Zero;
        for (int i = 0; i < 3; i++)
        {
            float* row = (i == 0 ? row0 : i == 1 ? row1 : row2) + (nint)column * Lanes;
            for (int j = from; j < to; j++)
                a = Vector512.FusedMultiplyAdd(Vector512.Load(row + j * Lanes), Vector512.Load(w + (i * 3 + j) * Lanes), a);
        }
        epilogue.Store<TMode>(a, bias, null, y + (nint)s * Lanes);
    }
}
