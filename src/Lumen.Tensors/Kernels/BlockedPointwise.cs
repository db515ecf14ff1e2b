using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// A 1×1, stride-1, unpadded, ungrouped convolution of channel-blocked activations (<see cref="BlockedLayout"/>), with
/// its bias, an optional residual of the output's shape and a clamp (ReLU, ReLU6) applied as it writes:
/// y[o, p] = clamp((Σ_c w[o, c] · x[c, p] + b[o]) + r[o, p]).
/// </summary>
/// <remarks>The layout of ONNX Runtime's NCHWc pointwise kernel (MLAS SconvKernelPointwise): the input is read in
/// place, no packing per call: a micro-tile of 12 positions × 32 output channels (two blocks, 24 AVX-512
/// accumulators) walks the input channels, broadcasting x[c, p] for its 12 positions (16 floats apart from one
/// pointer) against the 32 prepacked weights w[·, c] (<see cref="BlockedWeights.Pointwise"/>). Tails: 4- and 1-position
/// tiles, and a lone 16-channel block; the zero lanes past C of the last input block are not read (MobileNetV2's 24-channel
/// layers would spend a third of their multiplies on them). Every output sums its channels in ascending order from zero with one fused
/// multiply-add each, then adds the bias, then the residual, then clamps — whatever tile, batch or thread computes it, so
/// values do not depend on the batch or the thread count. The sums' order differs from the NCHW GEMM's (which splits the
/// depth in blocks), so values differ from it by rounding.</remarks>
internal static unsafe class BlockedPointwise
{
    private const int TileRows = 12;

    /// <summary>y (blocked [N, ⌈O/16⌉, plane, 16], overwritten) = the convolution of blocked x [N, ⌈C/16⌉, plane, 16]
    /// with packed weights <paramref name="w"/> (<see cref="BlockedWeights.Pointwise"/>) and packed bias
    /// <paramref name="bias"/> (<see cref="BlockedWeights.Bias"/>), plus <paramref name="residual"/> (blocked like y)
    /// when given, then <paramref name="activation"/> (none or a clamp).</summary>
    public static void Forward(float[] x, int batch, int inChannels, int plane, int outChannels, float[] w, float[] bias,
        float[]? residual, ConvActivation activation, float[] y, float[]? bits = null, BlockedOperand use = BlockedOperand.None, float lo = 0f, float hi = 0f)
    {
        if (residual is not null && bits is not null)
            throw new ArgumentException("BlockedPointwise: a residual or mask bits, not both.", nameof(bits));
        var epilogue = new BlockedEpilogue(activation, residual is not null ? BlockedOperand.Residual : bits is not null ? use : BlockedOperand.None, lo, hi);   // refuses a leaky rectifier
        int inBlocks = BlockedLayout.Blocks(inChannels), outBlocks = BlockedLayout.Blocks(outChannels);
        int pairs = CeilDiv(outBlocks, 2), tiles = CeilDiv(plane, TileRows);
        int depth = inBlocks * BlockedLayout.Lanes;
        if (w.Length < outBlocks * depth * BlockedLayout.Lanes || bias.Length < outBlocks * BlockedLayout.Lanes)
            throw new ArgumentException($"BlockedPointwise: packed weights of {w.Length} floats and bias of {bias.Length} do not fit {outChannels} × {inChannels} channels.");
        if (x.Length < BlockedLayout.Length(batch, inChannels, plane) || y.Length < BlockedLayout.Length(batch, outChannels, plane)
            || (residual is not null && residual.Length < BlockedLayout.Length(batch, outChannels, plane)))
            throw new ArgumentException($"BlockedPointwise: the blocked arrays (x {x.Length}, y {y.Length}, residual {residual?.Length}) are too short for [{batch}, {inChannels} → {outChannels}, {plane}].");
        if (bits is not null && bits.Length < BlockedEpilogue.BitFloats(BlockedLayout.Length(batch, outChannels, plane)))
            throw new ArgumentException($"BlockedPointwise: {bits.Length} bytes of mask bits are too few for [{batch}, {outChannels}, {plane}].", nameof(bits));
        var items = new PointwiseItems(batch, tiles, pairs, (long)outBlocks * depth, (long)inBlocks * plane);
        Parallelism.For(items.Count, (long)TileRows * 2 * depth * BlockedLayout.Lanes, (start, end) =>
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
                    nint inOffset = ((nint)n * inBlocks * plane + p) * BlockedLayout.Lanes;
                    nint outOffset = (((nint)n * outBlocks + first) * plane + p) * BlockedLayout.Lanes;
                    var at = new Operands(xs + inOffset, (nint)plane * BlockedLayout.Lanes, inChannels, ws + (nint)first * depth * BlockedLayout.Lanes,
                        (nint)depth * BlockedLayout.Lanes, ys + outOffset, rs is null ? null : rs + outOffset, bs + first * BlockedLayout.Lanes);
                    if (rows == TileRows) { if (two) Tile<Rows12, TwoBlocks>(at, e, masked); else Tile<Rows12, OneBlock>(at, e, masked); continue; }
                    for (; rows >= 4; rows -= 4, at = at.Advance(4)) { if (two) Tile<Rows4, TwoBlocks>(at, e, masked); else Tile<Rows4, OneBlock>(at, e, masked); }
                    for (; rows >= 1; rows--, at = at.Advance(1)) { if (two) Tile<Rows1, TwoBlocks>(at, e, masked); else Tile<Rows1, OneBlock>(at, e, masked); }
                }
            }
        });
    }

    /// <summary>The (image, tile of positions, pair of output blocks) items of a pointwise pass, in the order whose
    /// contiguous runs (<see cref="Parallelism.For"/>) split what each thread reads the least: by positions (each thread
    /// reads every weight and its own positions' inputs) while an image's input outweighs the weights, as at 112² and
    /// 56², where a thread then reads the rows the previous step left in its core's cache; by output channels (each
    /// thread reads half the weights and every input) once the weights outweigh it, as in MobileNetV2's 7² layers
    /// (320 → 1280: 1.6 MB of weights against 62 KB of input, which both threads had read whole: 303–313 → 269–282 µs at
    /// batch 1 on two threads; the whole network 2.6–4.3 % faster, passes alternated in one process).</summary>
    internal readonly struct PointwiseItems(int batch, int tiles, int pairs, long weightFloats, long inputFloats)
    {
        private readonly bool byChannels = weightFloats > inputFloats;

        /// <summary>Whether consecutive items walk the positions of one pair of output blocks.</summary>
        public bool ByChannels => byChannels;

        public int Count => batch * tiles * pairs;

        /// <summary>Item <paramref name="item"/>'s image, tile of positions and pair of output blocks.</summary>
        public (int N, int Tile, int Pair) this[int item] => byChannels
            ? (item / (tiles * pairs), item % tiles, item / tiles % pairs)
            : (item / (tiles * pairs), item / pairs % tiles, item % pairs);
    }

    /// <summary>Where one tile reads and writes: x at its first position of block 0, the weights of its first output
    /// block (the second <see cref="WeightBlock"/> floats on), y and the residual at its first position of its first
    /// output block (the second one plane on), its first block's bias.</summary>
    private readonly struct Operands(float* x, nint plane, int inChannels, float* w, nint weightBlock, float* y, float* r, float* bias)
    {
        public readonly float* X = x, W = w, Y = y, R = r, Bias = bias;
        public readonly nint Plane = plane, WeightBlock = weightBlock;
        public readonly int InChannels = inChannels;

        public Operands Advance(int positions) => new(X + positions * BlockedLayout.Lanes, Plane, InChannels, W, WeightBlock,
            Y + positions * BlockedLayout.Lanes, R is null ? null : R + positions * BlockedLayout.Lanes, Bias);
    }

    private interface IRows { static abstract int Count { get; } }
    private struct Rows12 : IRows { public static int Count => 12; }
    private struct Rows4 : IRows { public static int Count => 4; }
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
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default;
        Vector512<float> b6 = default, b7 = default, b8 = default, b9 = default, b10 = default, b11 = default;
        float* wp = at.W, xb = at.X;
        nint second = at.WeightBlock;
        for (int left = at.InChannels; left > 0; left -= BlockedLayout.Lanes, xb += at.Plane)
        {
            float* xl = xb;
            int lanes = Math.Min(BlockedLayout.Lanes, left);                  // the zero lanes past C are skipped
            for (int l = 0; l < lanes; l++, xl++, wp += BlockedLayout.Lanes)
            {
                var wa = Vector512.Load(wp);
                var wb = TBlocks.Two ? Vector512.Load(wp + second) : default;
                Vector512<float> v;
                v = Vector512.Create(xl[0]); a0 = Vector512.FusedMultiplyAdd(v, wa, a0); if (TBlocks.Two) b0 = Vector512.FusedMultiplyAdd(v, wb, b0);
                if (TRows.Count > 1)
                {
                    v = Vector512.Create(xl[16]); a1 = Vector512.FusedMultiplyAdd(v, wa, a1); if (TBlocks.Two) b1 = Vector512.FusedMultiplyAdd(v, wb, b1);
                    v = Vector512.Create(xl[32]); a2 = Vector512.FusedMultiplyAdd(v, wa, a2); if (TBlocks.Two) b2 = Vector512.FusedMultiplyAdd(v, wb, b2);
                    v = Vector512.Create(xl[48]); a3 = Vector512.FusedMultiplyAdd(v, wa, a3); if (TBlocks.Two) b3 = Vector512.FusedMultiplyAdd(v, wb, b3);
                }
                if (TRows.Count > 4)
                {
                    v = Vector512.Create(xl[64]); a4 = Vector512.FusedMultiplyAdd(v, wa, a4); if (TBlocks.Two) b4 = Vector512.FusedMultiplyAdd(v, wb, b4);
                    v = Vector512.Create(xl[80]); a5 = Vector512.FusedMultiplyAdd(v, wa, a5); if (TBlocks.Two) b5 = Vector512.FusedMultiplyAdd(v, wb, b5);
                    v = Vector512.Create(xl[96]); a6 = Vector512.FusedMultiplyAdd(v, wa, a6); if (TBlocks.Two) b6 = Vector512.FusedMultiplyAdd(v, wb, b6);
                    v = Vector512.Create(xl[112]); a7 = Vector512.FusedMultiplyAdd(v, wa, a7); if (TBlocks.Two) b7 = Vector512.FusedMultiplyAdd(v, wb, b7);
                    v = Vector512.Create(xl[128]); a8 = Vector512.FusedMultiplyAdd(v, wa, a8); if (TBlocks.Two) b8 = Vector512.FusedMultiplyAdd(v, wb, b8);
                    v = Vector512.Create(xl[144]); a9 = Vector512.FusedMultiplyAdd(v, wa, a9); if (TBlocks.Two) b9 = Vector512.FusedMultiplyAdd(v, wb, b9);
                    v = Vector512.Create(xl[160]); a10 = Vector512.FusedMultiplyAdd(v, wa, a10); if (TBlocks.Two) b10 = Vector512.FusedMultiplyAdd(v, wb, b10);
                    v = Vector512.Create(xl[176]); a11 = Vector512.FusedMultiplyAdd(v, wa, a11); if (TBlocks.Two) b11 = Vector512.FusedMultiplyAdd(v, wb, b11);
                }
            }
        }
        Finish<TRows, TMode>(epilogue, at.Y, at.R, Vector512.Load(at.Bias), a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
        if (TBlocks.Two)
        {
            nint plane = at.Plane;
            Finish<TRows, TMode>(epilogue, at.Y + plane, at.R is null ? null : at.R + plane, Vector512.Load(at.Bias + BlockedLayout.Lanes),
                b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TRows, TMode>(in BlockedEpilogue e, float* y, float* r, Vector512<float> bias, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2,
        Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7, Vector512<float> a8, Vector512<float> a9,
        Vector512<float> a10, Vector512<float> a11) where TRows : struct, IRows where TMode : struct, BlockedEpilogue.IBitsMode
    {
        e.Store<TMode>(a0, bias, r, y);
        if (TRows.Count > 1)
        {
            e.Store<TMode>(a1, bias, r is null ? null : r + 16, y + 16);
            e.Store<TMode>(a2, bias, r is null ? null : r + 32, y + 32);
            e.Store<TMode>(a3, bias, r is null ? null : r + 48, y + 48);
        }
        if (TRows.Count > 4)
        {
            e.Store<TMode>(a4, bias, r is null ? null : r + 64, y + 64);
            e.Store<TMode>(a5, bias, r is null ? null : r + 80, y + 80);
            e.Store<TMode>(a6, bias, r is null ? null : r + 96, y + 96);
            e.Store<TMode>(a7, bias, r is null ? null : r + 112, y + 112);
            e.Store<TMode>(a8, bias, r is null ? null : r + 128, y + 128);
            e.Store<TMode>(a9, bias, r is null ? null : r + 144, y + 144);
            e.Store<TMode>(a10, bias, r is null ? null : r + 160, y + 160);
            e.Store<TMode>(a11, bias, r is null ? null : r + 176, y + 176);
        }
    }
}
