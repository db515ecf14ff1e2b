using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// <see cref="BlockedDirect"/> for AVX2 machines: a convolution of few input channels (a network's stem) read from
/// NCHW and written in the layout NCHW8c (<see cref="BlockedLayout"/> with 8 lanes), y[o, r, s] =
/// clamp(Σ_{c, i, j} w[o, c, i, j] · x[c, r·stride − top + i, s·stride − left + j] + b[o]), zero outside the input.
/// </summary>
/// <remarks>The same line buffer as the 16-channel kernel (each input row under an output row copied once, padded, split
/// into its stride phases; <see cref="BlockedDirect.Forward{TTiles}"/>), then a tile of 8 consecutive outputs × one 8-channel
/// block: one broadcast per output and tap against the block's 8 prepacked weights (<see cref="BlockedWeights.Pointwise"/>
/// of [O, C·kh·kw], 8 lanes), 8 accumulators. Every output sums its taps in the weights' order (channel, row, column)
/// from zero, then adds the bias, then clamps — the 16-channel kernel's order, so its values bitwise.</remarks>
internal static unsafe class BlockedDirect8
{
    private const int Lanes = 8;

    /// <summary>y (blocked [1, ⌈O/8⌉, OH, OW, 8], overwritten) = the convolution of one NCHW image x [C, H, W] (from
    /// <paramref name="offset"/> on) with packed weights <paramref name="w"/> (<see cref="BlockedWeights.Pointwise"/> of
    /// [O, C·kh·kw], 8 lanes) and packed bias, then <paramref name="activation"/> (none or a clamp).</summary>
    public static void Forward(float[] x, int offset, int channels, int height, int width, (int H, int W) kernel, int stride,
        (int Top, int Left, int Bottom, int Right) pads, int outChannels, float[] w, float[] bias, ConvActivation activation, float[] y) =>
        BlockedDirect.Forward<Tiles8>(x, offset, channels, height, width, kernel, stride, pads, outChannels, w, bias, activation, y);

    /// <summary>NCHW8c: one block at a time.</summary>
    private struct Tiles8 : BlockedDirect.ITiles
    {
        public static int Lanes => BlockedDirect8.Lanes;

        public static void Run(float* lines, int* offsets, int taps, float* w, nint weightBlock, float* bias, float* y, nint plane, int count, int outBlocks, in BlockedEpilogue epilogue)
        {
            for (int block = 0; block < outBlocks; block++)
                BlockedDirect8.Run(lines, offsets, taps, w + block * weightBlock, bias + block * Lanes, y + block * plane, count, epilogue);
        }
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
