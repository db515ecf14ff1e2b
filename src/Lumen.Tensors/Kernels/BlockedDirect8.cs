using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// <see cref="BlockedDirect"/> for AVX2 machines: a convolution of few input channels (a network's stem) read from
/// NCHW and written in the layout NCHW8c (<see cref="BlockedLayout"/> with 8 lanes), y[o, r, s] =
/// clamp(Σ_{c, i, j} w[o, c, i, j] · x[c, r·stride − top + i, s·stride − left + j] + b[o]), zero outside the input.
/// </summary>
/// <remarks>The same line buffer as the 16-channel kernel (each input row under an output row copied once, padded, split
/// into its stride phases by <see cref="BlockedDirect.Split"/>), then a tile of 8 consecutive outputs × one 8-channel
/// block: one broadcast per output and tap against the block's 8 prepacked weights (<see cref="BlockedWeights.Pointwise"/>
/// of [O, C·kh·kw], 8 lanes), 8 accumulators. Every output sums its taps in the weights' order (channel, row, column)
/// from zero, then adds the bias, then clamps — the 16-channel kernel's order, so its values bitwise.</remarks>
internal static unsafe class BlockedDirect8
{
    private const int Lanes = 8, Tile = 8;

    /// <summary>y (blocked [1, ⌈O/8⌉, OH, OW, 8], overwritten) = the convolution of one NCHW image x [C, H, W] (from
    /// <paramref name="offset"/> on) with packed weights <paramref name="w"/> (<see cref="BlockedWeights.Pointwise"/> of
    /// [O, C·kh·kw], 8 lanes) and packed bias, then <paramref name="activation"/> (none or a clamp).</summary>
    public static void Forward(float[] x, int offset, int channels, int height, int width, (int H, int W) kernel, int stride,
        (int Top, int Left, int Bottom, int Right) pads, int outChannels, float[] w, float[] bias, ConvActivation activation, float[] y)
    {
        var epilogue = new BlockedEpilogue(activation);
        int oh = BlockedLayout.OutputSize(height, kernel.H, stride, pads.Top, pads.Bottom), ow = BlockedLayout.OutputSize(width, kernel.W, stride, pads.Left, pads.Right);
        int taps = channels * kernel.H * kernel.W, depth = BlockedLayout.Blocks(taps, Lanes) * Lanes, outBlocks = BlockedLayout.Blocks(outChannels, Lanes);
        if (oh <= 0 || ow <= 0 || stride <= 0)
            throw new ArgumentException($"BlockedDirect8: a {kernel.H}×{kernel.W} kernel at stride {stride} with pads {pads} leaves no output of {height}×{width}.");
        if (w.Length < outBlocks * depth * Lanes || bias.Length < outBlocks * Lanes || offset < 0 || x.Length - (long)offset < (long)channels * height * width
            || y.Length < BlockedLayout.Length(1, outChannels, oh * ow, Lanes))
            throw new ArgumentException($"BlockedDirect8: arrays (x {x.Length} from {offset}, w {w.Length}, bias {bias.Length}, y {y.Length}) do not fit [{channels}, {height}, {width}] → [{outChannels}, {oh}, {ow}].");
        // a phase holds every output column's (rounded up to whole tiles) columns of one tap and the (kw − 1) div stride after them
        int phase = IntMath.RoundUp(IntMath.RoundUp(ow, Tile) + (kernel.W - 1) / stride, 16), lines = channels * kernel.H;
        var where = new int[taps];      // tap (c, i, j) → its first float in the line buffer
        for (int c = 0, t = 0; c < channels; c++)
            for (int i = 0; i < kernel.H; i++)
                for (int j = 0; j < kernel.W; j++, t++) where[t] = ((c * kernel.H + i) * stride + j % stride) * phase + j / stride;
        Parallelism.For(oh, (long)ow * taps * outBlocks * Lanes, (start, end) =>
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
                                else BlockedDirect.Split(xs + offset + ((nint)c * height + row) * width, width, pads.Left, stride, phase, line, ls + (nint)lines * stride * phase);
                            }
                        for (int s = 0; s < ow; s += Tile)
                        {
                            int count = Math.Min(Tile, ow - s);
                            for (int block = 0; block < outBlocks; block++)
                                Run(ls + s, offsets, taps, ws + (nint)block * depth * Lanes, bs + block * Lanes,
                                    ys + ((nint)block * oh * ow + (nint)r * ow + s) * Lanes, count, epilogue);
                        }
                    }
            }
            finally { ArrayPool<float>.Shared.Return(buffer); }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(float* lines, int* offsets, int taps, float* w, float* bias, float* y, int count, in BlockedEpilogue epilogue)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int t = 0; t < taps; t++, w += Lanes)
        {
            float* patch = lines + offsets[t];     // this tap's columns of the tile's 8 outputs
            var wa = Vector256.Load(w);
            a0 = Vector256.FusedMultiplyAdd(Vector256.Create(patch[0]), wa, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Create(patch[1]), wa, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.Create(patch[2]), wa, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.Create(patch[3]), wa, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.Create(patch[4]), wa, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.Create(patch[5]), wa, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.Create(patch[6]), wa, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.Create(patch[7]), wa, a7);
        }
        var b = Vector256.Load(bias);
        epilogue.Store(a0, b, null, y);
        if (count > 1) epilogue.Store(a1, b, null, y + 8);
        if (count > 2) epilogue.Store(a2, b, null, y + 16);
        if (count > 3) epilogue.Store(a3, b, null, y + 24);
        if (count > 4) epilogue.Store(a4, b, null, y + 32);
        if (count > 5) epilogue.Store(a5, b, null, y + 40);
        if (count > 6) epilogue.Store(a6, b, null, y + 48);
        if (count > 7) epilogue.Store(a7, b, null, y + 56);
    }
}
