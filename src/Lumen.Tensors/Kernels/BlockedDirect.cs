using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// A convolution of few input channels (a network's first layer, on an image's 3 planes) read from NCHW and written
/// channel-blocked (<see cref="BlockedLayout"/>), with its bias and a clamp applied as it writes: y[o, r, s] =
/// clamp(Σ_{c, i, j} w[o, c, i, j] · x[c, r·stride − top + i, s·stride − left + j] + b[o]), zero outside the input —
/// so that a blocked chain starts at the image without reordering the first layer's output (ONNX Runtime's
/// "NCHW → NCHWc" convolution).
/// </summary>
/// <remarks>For each output row, every input row under it (channel c, kernel row i) is copied once, padded with zeros,
/// into a small line buffer split into its <c>stride</c> phases (phase q holds the padded columns q, q + stride, …;
/// at stride 2 the even and odd columns, deinterleaved 32 at a time by one two-source permute each), so a tap
/// (c, i, j) of 8 consecutive outputs reads 8 consecutive floats of phase j mod stride from j div stride on. Each tap
/// is then one broadcast per output against the 32 prepacked weights of two output blocks
/// (<see cref="BlockedWeights.Pointwise"/> of the weights as [O, C·kh·kw]): 16 accumulators. Every output sums its
/// taps in the weights' order (channel, row, column) from zero (a tap outside the input reads a zero), then adds the
/// bias, then clamps, whatever the tile, batch or thread.</remarks>
internal static unsafe class BlockedDirect
{
    private const int Lanes = BlockedLayout.Lanes, Tile = 8;

    /// <summary>y (blocked [1, ⌈O/16⌉, OH, OW, 16], overwritten) = the convolution of one NCHW image x [C, H, W] (from
    /// <paramref name="offset"/> on) with packed weights <paramref name="w"/> (<see cref="BlockedWeights.Pointwise"/> of
    /// [O, C·kh·kw]) and packed bias, then <paramref name="activation"/> (none or a clamp).</summary>
    public static void Forward(float[] x, int offset, int channels, int height, int width, (int H, int W) kernel, int stride,
        (int Top, int Left, int Bottom, int Right) pads, int outChannels, float[] w, float[] bias, ConvActivation activation, float[] y) =>
        Forward<Tiles16>(x, offset, channels, height, width, kernel, stride, pads, outChannels, w, bias, activation, y);

    /// <summary>The tiles of one block width: all output blocks of <see cref="Tile"/> consecutive outputs of a row, from
    /// the line buffer, in the weights' order of taps (<see cref="BlockedDirect"/>'s remarks).</summary>
    internal interface ITiles
    {
        /// <summary>Channels per block: 16 or 8.</summary>
        static abstract int Lanes { get; }

        /// <summary>Outputs y[·, s … s + count) of every block (blocks <paramref name="plane"/> floats apart) from the
        /// lines at the tile's first column; <paramref name="w"/> and <paramref name="bias"/> of block 0, the blocks'
        /// weights <paramref name="weightBlock"/> floats apart.</summary>
        static abstract void Run(float* lines, int* offsets, int taps, float* w, nint weightBlock, float* bias, float* y, nint plane, int count, int outBlocks, in BlockedEpilogue epilogue);
    }

    /// <summary>NCHW16c: two blocks at a time (<see cref="Run{TBlocks}"/>).</summary>
    private struct Tiles16 : ITiles
    {
        public static int Lanes => BlockedLayout.Lanes;

        public static void Run(float* lines, int* offsets, int taps, float* w, nint weightBlock, float* bias, float* y, nint plane, int count, int outBlocks, in BlockedEpilogue epilogue)
        {
            for (int first = 0; first < outBlocks; first += 2)
            {
                float* target = y + first * plane;
                if (first + 1 < outBlocks) BlockedDirect.Run<TwoBlocks>(lines, offsets, taps, w + first * weightBlock, weightBlock, bias + first * Lanes, target, plane, count, epilogue);
                else BlockedDirect.Run<OneBlock>(lines, offsets, taps, w + first * weightBlock, weightBlock, bias + first * Lanes, target, plane, count, epilogue);
            }
        }
    }

    /// <summary><see cref="Forward"/> in the layout of <typeparamref name="TTiles"/> (blocks of 16 or 8 channels): the
    /// line buffer of each output row, then its tiles.</summary>
    internal static void Forward<TTiles>(float[] x, int offset, int channels, int height, int width, (int H, int W) kernel, int stride,
        (int Top, int Left, int Bottom, int Right) pads, int outChannels, float[] w, float[] bias, ConvActivation activation, float[] y) where TTiles : struct, ITiles
    {
        int lanes = TTiles.Lanes;
        var epilogue = new BlockedEpilogue(activation);
        int oh = BlockedLayout.OutputSize(height, kernel.H, stride, pads.Top, pads.Bottom), ow = BlockedLayout.OutputSize(width, kernel.W, stride, pads.Left, pads.Right);
        int taps = channels * kernel.H * kernel.W, depth = BlockedLayout.Blocks(taps, lanes) * lanes, outBlocks = BlockedLayout.Blocks(outChannels, lanes);
        if (oh <= 0 || ow <= 0 || stride <= 0)
            throw new ArgumentException($"BlockedDirect: a {kernel.H}×{kernel.W} kernel at stride {stride} with pads {pads} leaves no output of {height}×{width}.");
        if (w.Length < outBlocks * depth * lanes || bias.Length < outBlocks * lanes || offset < 0 || x.Length - (long)offset < (long)channels * height * width
            || y.Length < BlockedLayout.Length(1, outChannels, oh * ow, lanes))
            throw new ArgumentException($"BlockedDirect: arrays (x {x.Length} from {offset}, w {w.Length}, bias {bias.Length}, y {y.Length}) do not fit [{channels}, {height}, {width}] → [{outChannels}, {oh}, {ow}] in blocks of {lanes}.");
        // a phase holds every output column's (rounded up to whole tiles) columns of one tap and the (kw − 1) div stride after them
        int phase = IntMath.RoundUp(IntMath.RoundUp(ow, Tile) + (kernel.W - 1) / stride, 16), lines = channels * kernel.H;
        var where = new int[taps];      // tap (c, i, j) → its first float in the line buffer
        for (int c = 0, t = 0; c < channels; c++)
            for (int i = 0; i < kernel.H; i++)
                for (int j = 0; j < kernel.W; j++, t++) where[t] = ((c * kernel.H + i) * stride + j % stride) * phase + j / stride;
        Parallelism.For(oh, (long)ow * taps * outBlocks * lanes, (start, end) =>
        {
            var buffer = ArrayPool<float>.Shared.Rent(lines * stride * phase + (stride == 1 ? 0 : stride * phase));   // + one padded row
            try
            {
                fixed (float* xs = x, ws = w, bs = bias, ys = y, ls = buffer)
                fixed (int* offsets = where)
                    for (int r = start; r < end; r++)
                    {
                        for (int c = 0; c < channels; c++)
                            for (int i = 0; i < kernel.H; i++)
                            {
                                int row = r * stride - pads.Top + i;
                                float* line = ls + (nint)(c * kernel.H + i) * stride * phase;
                                if (row < 0 || row >= height) new Span<float>(line, stride * phase).Clear();
                                else Split(xs + offset + ((nint)c * height + row) * width, width, pads.Left, stride, phase, line, ls + (nint)lines * stride * phase);
                            }
                        for (int s = 0; s < ow; s += Tile)
                            TTiles.Run(ls + s, offsets, taps, ws, (nint)depth * lanes, bs, ys + ((nint)r * ow + s) * lanes, (nint)oh * ow * lanes, Math.Min(Tile, ow - s), outBlocks, epilogue);
                    }
            }
            finally { ArrayPool<float>.Shared.Return(buffer); }
        });
    }

    /// <summary>line[q·phase + m] = the input row's column m·stride + q − left (zero outside the row), for each phase
    /// q &lt; stride and m &lt; phase; <paramref name="padded"/> (stride·phase floats, used only at strides above 1)
    /// holds the padded row on the way.</summary>
    private static void Split(float* source, int width, int left, int stride, int phase, float* line, float* padded)
    {
        int length = stride * phase;
        float* target = stride == 1 ? line : padded;
        int head = Math.Min(left, length), body = Math.Clamp(length - left, 0, width);
        new Span<float>(target, head).Clear();
        new ReadOnlySpan<float>(source, body).CopyTo(new Span<float>(target + head, body));
        new Span<float>(target + head + body, length - head - body).Clear();
        if (stride == 1) return;
        if (stride == 2 && Avx512F.IsSupported)
        {
            // constants here, not static fields: a static's initialization check in the loop made the JIT spill a and b
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            var odd = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            for (int m = 0; m < phase; m += 16)     // phase is a multiple of 16: 32 padded columns → 16 even, 16 odd
            {
                var a = Vector512.Load(padded + 2 * m);
                var b = Vector512.Load(padded + 2 * m + 16);
                Avx512F.PermuteVar16x32x2(a, even, b).Store(line + m);
                Avx512F.PermuteVar16x32x2(a, odd, b).Store(line + phase + m);
            }
        }
        else if (stride == 2 && Avx2.IsSupported)
        {
            // AVX2 (BlockedDirect8's machines): the even, then the odd columns by Im2Col's AVX2 permutes (the last odd one alone)
            Im2Col.EveryOther(padded, phase, length, line);
            Im2Col.EveryOther(padded + 1, phase, length - 1, line + phase);
        }
        else
            for (int q = 0; q < stride; q++)
                for (int m = 0; m < phase; m++) line[q * phase + m] = padded[m * stride + q];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TBlocks>(float* lines, int* offsets, int taps, float* w, nint weightBlock, float* bias, float* y, nint plane, int count, in BlockedEpilogue epilogue)
        where TBlocks : struct, IBlocks
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (int t = 0; t < taps; t++, w += Lanes)
        {
            float* patch = lines + offsets[t];     // this tap's columns of the tile's 8 outputs
            var wa = Vector512.Load(w);
            var wb = TBlocks.Two ? Vector512.Load(w + weightBlock) : default;
            Vector512<float> v;
            v = Vector512.Create(patch[0]); a0 = Vector512.FusedMultiplyAdd(v, wa, a0); if (TBlocks.Two) b0 = Vector512.FusedMultiplyAdd(v, wb, b0);
            v = Vector512.Create(patch[1]); a1 = Vector512.FusedMultiplyAdd(v, wa, a1); if (TBlocks.Two) b1 = Vector512.FusedMultiplyAdd(v, wb, b1);
            v = Vector512.Create(patch[2]); a2 = Vector512.FusedMultiplyAdd(v, wa, a2); if (TBlocks.Two) b2 = Vector512.FusedMultiplyAdd(v, wb, b2);
            v = Vector512.Create(patch[3]); a3 = Vector512.FusedMultiplyAdd(v, wa, a3); if (TBlocks.Two) b3 = Vector512.FusedMultiplyAdd(v, wb, b3);
            v = Vector512.Create(patch[4]); a4 = Vector512.FusedMultiplyAdd(v, wa, a4); if (TBlocks.Two) b4 = Vector512.FusedMultiplyAdd(v, wb, b4);
            v = Vector512.Create(patch[5]); a5 = Vector512.FusedMultiplyAdd(v, wa, a5); if (TBlocks.Two) b5 = Vector512.FusedMultiplyAdd(v, wb, b5);
            v = Vector512.Create(patch[6]); a6 = Vector512.FusedMultiplyAdd(v, wa, a6); if (TBlocks.Two) b6 = Vector512.FusedMultiplyAdd(v, wb, b6);
            v = Vector512.Create(patch[7]); a7 = Vector512.FusedMultiplyAdd(v, wa, a7); if (TBlocks.Two) b7 = Vector512.FusedMultiplyAdd(v, wb, b7);
        }
        var biasA = Vector512.Load(bias);
        Store(epilogue, y, count, biasA, a0, a1, a2, a3, a4, a5, a6, a7);
        if (TBlocks.Two) Store(epilogue, y + plane, count, Vector512.Load(bias + Lanes), b0, b1, b2, b3, b4, b5, b6, b7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in BlockedEpilogue e, float* y, int count, Vector512<float> bias, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2,
        Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7)
    {
        e.Store(a0, bias, null, y);
        if (count > 1) e.Store(a1, bias, null, y + 16);
        if (count > 2) e.Store(a2, bias, null, y + 32);
        if (count > 3) e.Store(a3, bias, null, y + 48);
        if (count > 4) e.Store(a4, bias, null, y + 64);
        if (count > 5) e.Store(a5, bias, null, y + 80);
        if (count > 6) e.Store(a6, bias, null, y + 96);
        if (count > 7) e.Store(a7, bias, null, y + 112);
    }
}
