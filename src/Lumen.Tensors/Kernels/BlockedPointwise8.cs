using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// <see cref="BlockedPointwise"/> for AVX2 machines, in the layout NCHW8c (<see cref="BlockedLayout"/> with 8 lanes):
/// y[o, p] = clamp((Σ_c w[o, c] · x[c, p] + b[o]) + r[o, p]), the 1×1, stride-1, unpadded, ungrouped convolution with
/// its bias, an optional residual and a clamp (ReLU, ReLU6).
/// </summary>
/// <remarks>ONNX Runtime's NCHWc pointwise kernel on 8-float vectors: a micro-tile of 6 positions × 16 output channels
/// (two 8-channel blocks: 12 accumulators, two weight vectors and one broadcast of the 16 ymm registers) walks the input
/// channels, broadcasting x[c, p] for its 6 positions (8 floats apart from one pointer) against the 16 prepacked
/// weights w[·, c] (<see cref="BlockedWeights.Pointwise"/> with 8 lanes). Tails: 2- and 1-position tiles, and a lone
/// 8-channel block; the zero lanes past C of the last input block are not read. The summation order is the 16-channel
/// kernel's: every output sums its channels in ascending order from zero with one fused multiply-add each, then adds
/// the bias, then the residual, then clamps — so the values equal <see cref="BlockedPointwise"/>'s bitwise and do not
/// depend on the tile, the batch or the thread count.</remarks>
internal static unsafe class BlockedPointwise8
{
    private const int Lanes = 8, TileRows = 6;

    /// <summary>y (blocked [N, ⌈O/8⌉, plane, 8], overwritten) = the convolution of blocked x [N, ⌈C/8⌉, plane, 8] with
    /// packed weights <paramref name="w"/> (<see cref="BlockedWeights.Pointwise"/>, 8 lanes) and packed bias
    /// <paramref name="bias"/> (<see cref="BlockedWeights.Bias"/>, 8 lanes), plus <paramref name="residual"/> (blocked
    /// like y) when given, then <paramref name="activation"/> (none or a clamp).</summary>
    public static void Forward(float[] x, int batch, int inChannels, int plane, int outChannels, float[] w, float[] bias,
        float[]? residual, ConvActivation activation, float[] y, float[]? bits = null, BlockedOperand use = BlockedOperand.None, float lo = 0f, float hi = 0f)
    {
        if (residual is not null && bits is not null)
            throw new ArgumentException("BlockedPointwise: a residual or mask bits, not both.", nameof(bits));
        var epilogue = new BlockedEpilogue(activation, residual is not null ? BlockedOperand.Residual : bits is not null ? use : BlockedOperand.None, lo, hi);   // refuses a leaky rectifier
        int inBlocks = BlockedLayout.Blocks(inChannels, Lanes), outBlocks = BlockedLayout.Blocks(outChannels, Lanes);
        int pairs = CeilDiv(outBlocks, 2), tiles = CeilDiv(plane, TileRows);
        int depth = inBlocks * Lanes;
        if (w.Length < outBlocks * depth * Lanes || bias.Length < outBlocks * Lanes)
            throw new ArgumentException($"BlockedPointwise8: packed weights of {w.Length} floats and bias of {bias.Length} do not fit {outChannels} × {inChannels} channels.");
        if (x.Length < BlockedLayout.Length(batch, inChannels, plane, Lanes) || y.Length < BlockedLayout.Length(batch, outChannels, plane, Lanes)
            || (residual is not null && residual.Length < BlockedLayout.Length(batch, outChannels, plane, Lanes)))
            throw new ArgumentException($"BlockedPointwise8: the blocked arrays (x {x.Length}, y {y.Length}, residual {residual?.Length}) are too short for [{batch}, {inChannels} → {outChannels}, {plane}].");
        if (bits is not null && bits.Length < BlockedEpilogue.BitFloats(BlockedLayout.Length(batch, outChannels, plane, Lanes)))
            throw new ArgumentException($"BlockedPointwise: {bits.Length} bytes of mask bits are too few for [{batch}, {outChannels}, {plane}].", nameof(bits));
        var items = new BlockedPointwise.PointwiseItems(batch, tiles, pairs, (long)outBlocks * depth, (long)inBlocks * plane);
        Parallelism.For(items.Count, (long)TileRows * 2 * depth * Lanes, (start, end) =>
        {
            fixed (float* xs = x, ws = w, bs = bias, ys = y, rs = residual)
            fixed (float* bitWords = bits)
            {
                var e = epilogue.UsesBits ? epilogue.WithBits(ys, (byte*)bitWords) : epilogue;
                bool masked = e.UsesBits;
                for (int item = start; item < end; item++)
                {
                    var (n, t, pair) = items[item];
                    int first = pair * 2, p = t * TileRows, rows = Math.Min(TileRows, plane - p);
                    bool two = first + 1 < outBlocks;
                    nint inOffset = ((nint)n * inBlocks * plane + p) * Lanes;
                    nint outOffset = (((nint)n * outBlocks + first) * plane + p) * Lanes;
                    var at = new Operands(xs + inOffset, (nint)plane * Lanes, inChannels, ws + (nint)first * depth * Lanes,
                        (nint)depth * Lanes, ys + outOffset, rs is null ? null : rs + outOffset, bs + first * Lanes);
                    if (rows == TileRows) { if (two) Tile<Rows6, TwoBlocks>(at, e, masked); else Tile<Rows6, OneBlock>(at, e, masked); continue; }
                    for (; rows >= 2; rows -= 2, at = at.Advance(2)) { if (two) Tile<Rows2, TwoBlocks>(at, e, masked); else Tile<Rows2, OneBlock>(at, e, masked); }
                    if (rows == 1) { if (two) Tile<Rows1, TwoBlocks>(at, e, masked); else Tile<Rows1, OneBlock>(at, e, masked); }
                }
            }
        });
    }

    /// <summary>Where one tile reads and writes: x at its first position of block 0, the weights of its first output
    /// block (the second <see cref="WeightBlock"/> floats on), y and the residual at its first position of its first
    /// output block (the second one plane on), its first block's bias.</summary>
    private readonly struct Operands(float* x, nint plane, int inChannels, float* w, nint weightBlock, float* y, float* r, float* bias)
    {
        public readonly float* X = x, W = w, Y = y, R = r, Bias = bias;
        public readonly nint Plane = plane, WeightBlock = weightBlock;
        public readonly int InChannels = inChannels;

        public Operands Advance(int positions) => new(X + positions * Lanes, Plane, InChannels, W, WeightBlock,
            Y + positions * Lanes, R is null ? null : R + positions * Lanes, Bias);
    }

    private interface IRows { static abstract int Count { get; } }
    private struct Rows6 : IRows { public static int Count => 6; }
    private struct Rows2 : IRows { public static int Count => 2; }
    private struct Rows1 : IRows { public static int Count => 1; }

    /// <summary>A tile compiled for mask bits or not (<see cref="BlockedEpilogue.IBitsMode"/>).</summary>
    private static void Tile<TRows, TBlocks>(in Operands at, in BlockedEpilogue epilogue, bool bits) where TRows : struct, IRows where TBlocks : struct, IBlocks
    {
        if (bits) Tile<TRows, TBlocks, BlockedEpilogue.MaskBits>(at, epilogue);
        else Tile<TRows, TBlocks, BlockedEpilogue.NoBits>(at, epilogue);
    }

    /// <summary>One tile of TRows positions × one or two output blocks; rows past TRows.Count are dead code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows, TBlocks, TMode>(in Operands at, in BlockedEpilogue epilogue) where TRows : struct, IRows where TBlocks : struct, IBlocks
        where TMode : struct, BlockedEpilogue.IBitsMode
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default;
        float* wp = at.W, xb = at.X;
        nint second = at.WeightBlock;
        for (int left = at.InChannels; left > 0; left -= Lanes, xb += at.Plane)
        {
            float* xl = xb;
            int lanes = Math.Min(Lanes, left);                  // the zero lanes past C are skipped
            for (int l = 0; l < lanes; l++, xl++, wp += Lanes)
            {
                var wa = Vector256.Load(wp);
                var wb = TBlocks.Two ? Vector256.Load(wp + second) : default;
                Vector256<float> v;
                v = Vector256.Create(xl[0]); a0 = Vector256.FusedMultiplyAdd(v, wa, a0); if (TBlocks.Two) b0 = Vector256.FusedMultiplyAdd(v, wb, b0);
                if (TRows.Count > 1)
                {
                    v = Vector256.Create(xl[8]); a1 = Vector256.FusedMultiplyAdd(v, wa, a1); if (TBlocks.Two) b1 = Vector256.FusedMultiplyAdd(v, wb, b1);
                }
                if (TRows.Count > 2)
                {
                    v = Vector256.Create(xl[16]); a2 = Vector256.FusedMultiplyAdd(v, wa, a2); if (TBlocks.Two) b2 = Vector256.FusedMultiplyAdd(v, wb, b2);
                    v = Vector256.Create(xl[24]); a3 = Vector256.FusedMultiplyAdd(v, wa, a3); if (TBlocks.Two) b3 = Vector256.FusedMultiplyAdd(v, wb, b3);
                    v = Vector256.Create(xl[32]); a4 = Vector256.FusedMultiplyAdd(v, wa, a4); if (TBlocks.Two) b4 = Vector256.FusedMultiplyAdd(v, wb, b4);
                    v = Vector256.Create(xl[40]); a5 = Vector256.FusedMultiplyAdd(v, wa, a5); if (TBlocks.Two) b5 = Vector256.FusedMultiplyAdd(v, wb, b5);
                }
            }
        }
        Finish<TRows, TMode>(epilogue, at.Y, at.R, Vector256.Load(at.Bias), a0, a1, a2, a3, a4, a5);
        if (TBlocks.Two)
        {
            nint plane = at.Plane;
            Finish<TRows, TMode>(epilogue, at.Y + plane, at.R is null ? null : at.R + plane, Vector256.Load(at.Bias + Lanes), b0, b1, b2, b3, b4, b5);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TRows, TMode>(in BlockedEpilogue e, float* y, float* r, Vector256<float> bias, Vector256<float> a0, Vector256<float> a1,
        Vector256<float> a2, Vector256<float> a3, Vector256<float> a4, Vector256<float> a5) where TRows : struct, IRows where TMode : struct, BlockedEpilogue.IBitsMode
    {
        e.Store<TMode>(a0, bias, r, y);
        if (TRows.Count > 1) e.Store<TMode>(a1, bias, r is null ? null : r + 8, y + 8);
        if (TRows.Count > 2)
        {
            e.Store<TMode>(a2, bias, r is null ? null : r + 16, y + 16);
            e.Store<TMode>(a3, bias, r is null ? null : r + 24, y + 24);
            e.Store<TMode>(a4, bias, r is null ? null : r + 32, y + 32);
            e.Store<TMode>(a5, bias, r is null ? null : r + 40, y + 40);
        }
    }
}
