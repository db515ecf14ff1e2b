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
/// <remarks>For 8 output positions of a row at a time, the C·kh·kw input values under each position are gathered into
/// a small patch (zeros outside the input), then each tap is one broadcast against the 32 prepacked weights of two
/// output blocks (<see cref="BlockedWeights.Pointwise"/> of the weights as [O, C·kh·kw]): 16 accumulators. Every
/// output sums its taps in the weights' order (channel, row, column) from zero, then adds the bias, then clamps,
/// whatever the tile, batch or thread.</remarks>
internal static unsafe class BlockedDirect
{
    private const int Lanes = BlockedLayout.Lanes, Tile = 8;

    /// <summary>The output side of an input side <paramref name="size"/> padded by <paramref name="before"/> and
    /// <paramref name="after"/> for a kernel side <paramref name="kernel"/> at <paramref name="stride"/>.</summary>
    public static int OutputSize(int size, int kernel, int stride, int before, int after) => (size + before + after - kernel) / stride + 1;

    /// <summary>y (blocked [1, ⌈O/16⌉, OH, OW, 16], overwritten) = the convolution of one NCHW image x [C, H, W] (from
    /// <paramref name="offset"/> on) with packed weights <paramref name="w"/> (<see cref="BlockedWeights.Pointwise"/> of
    /// [O, C·kh·kw]) and packed bias, then <paramref name="activation"/> (none or a clamp).</summary>
    public static void Forward(float[] x, int offset, int channels, int height, int width, (int H, int W) kernel, int stride,
        (int Top, int Left, int Bottom, int Right) pads, int outChannels, float[] w, float[] bias, ConvActivation activation, float[] y)
    {
        var epilogue = new BlockedEpilogue(activation);
        int oh = OutputSize(height, kernel.H, stride, pads.Top, pads.Bottom), ow = OutputSize(width, kernel.W, stride, pads.Left, pads.Right);
        int taps = channels * kernel.H * kernel.W, depth = BlockedLayout.Blocks(taps) * Lanes, outBlocks = BlockedLayout.Blocks(outChannels);
        if (oh <= 0 || ow <= 0 || stride <= 0)
            throw new ArgumentException($"BlockedDirect: a {kernel.H}×{kernel.W} kernel at stride {stride} with pads {pads} leaves no output of {height}×{width}.");
        if (w.Length < outBlocks * depth * Lanes || bias.Length < outBlocks * Lanes || offset < 0 || x.Length - (long)offset < (long)channels * height * width
            || y.Length < BlockedLayout.Length(1, outChannels, oh * ow))
            throw new ArgumentException($"BlockedDirect: arrays (x {x.Length} from {offset}, w {w.Length}, bias {bias.Length}, y {y.Length}) do not fit [{channels}, {height}, {width}] → [{outChannels}, {oh}, {ow}].");
        Parallelism.For(oh, (long)ow * taps * outBlocks * Lanes, (start, end) =>
        {
            var patch = new float[taps * Tile];
            fixed (float* xs = x, ws = w, bs = bias, ys = y, ps = patch)
                for (int r = start; r < end; r++)
                    for (int s = 0; s < ow; s += Tile)
                    {
                        int count = Math.Min(Tile, ow - s);
                        Gather(xs + offset, ps, channels, height, width, kernel, stride, pads, r, s, count);
                        for (int first = 0; first < outBlocks; first += 2)
                        {
                            float* target = ys + ((nint)first * oh * ow + (nint)r * ow + s) * Lanes;
                            nint plane = (nint)oh * ow * Lanes;
                            if (first + 1 < outBlocks) Run<TwoBlocks>(ps, taps, ws + (nint)first * depth * Lanes, depth * Lanes, bs + first * Lanes, target, plane, count, epilogue);
                            else Run<OneBlock>(ps, taps, ws + (nint)first * depth * Lanes, depth * Lanes, bs + first * Lanes, target, plane, count, epilogue);
                        }
                    }
        });
    }

    /// <summary>patch[t·8 + k] = the input under tap t = (c, i, j) of output (r, s + k), zero outside the input or past <paramref name="count"/>.</summary>
    private static void Gather(float* x, float* patch, int channels, int height, int width, (int H, int W) kernel, int stride,
        (int Top, int Left, int Bottom, int Right) pads, int r, int s, int count)
    {
        int first = s * stride - pads.Left, last = (s + Tile - 1) * stride - pads.Left + kernel.W - 1;
        bool inside = count == Tile && first >= 0 && last < width;      // every column of the tile: no test per value
        bool wide = first + kernel.W - 1 + 2 * Tile <= width;            // a 16-float load from every tap's first column stays in the row
        for (int c = 0, t = 0; c < channels; c++)
            for (int i = 0; i < kernel.H; i++)
            {
                int row = r * stride - pads.Top + i;
                float* source = x + ((nint)c * height + row) * width;
                bool rowInside = row >= 0 && row < height;
                for (int j = 0; j < kernel.W; j++, t++)
                {
                    float* target = patch + t * Tile;
                    if (rowInside && inside && stride == 2 && wide && Avx512F.IsSupported)
                        Avx512F.PermuteVar16x32(Vector512.Load(source + first + j), EvenLanes).GetLower().Store(target);   // columns 0, 2, …, 14
                    else if (rowInside && inside && stride == 1 && Vector256.IsHardwareAccelerated)
                        Vector256.Load(source + first + j).Store(target);
                    else if (rowInside && inside)
                        for (int k = 0, column = first + j; k < Tile; k++, column += stride) target[k] = source[column];
                    else
                        for (int k = 0; k < Tile; k++)
                        {
                            int column = (s + k) * stride - pads.Left + j;
                            target[k] = k < count && rowInside && column >= 0 && column < width ? source[column] : 0f;
                        }
                }
            }
    }

    private static readonly Vector512<int> EvenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0);

    private interface IBlocks { static abstract bool Two { get; } }
    private struct TwoBlocks : IBlocks { public static bool Two => true; }
    private struct OneBlock : IBlocks { public static bool Two => false; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TBlocks>(float* patch, int taps, float* w, nint weightBlock, float* bias, float* y, nint plane, int count, in BlockedEpilogue epilogue)
        where TBlocks : struct, IBlocks
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (int t = 0; t < taps; t++, patch += Tile, w += Lanes)
        {
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
