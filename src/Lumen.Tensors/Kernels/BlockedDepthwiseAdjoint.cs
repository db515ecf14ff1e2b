using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The input gradient of <see cref="BlockedDepthwise"/>'s 3×3 depthwise convolution in the channel-blocked layout:
/// dx[c, p, q] = Σ_{i, j} w[c, i, j] · dy[c, r, s] over the taps with p = r·stride − top + i and q = s·stride − left + j.
/// At stride 1 that is the forward convolution of dy with the kernel turned by 180° and the pads 2 − top, 2 − left
/// (<see cref="BlockedDepthwise"/> itself, on <see cref="BlockedWeights.DepthwiseFlipped"/>); at stride 2 each dx row
/// takes one or two kernel rows (by its parity) and each column one or two kernel columns (<see cref="StrideTwo"/>).
/// </summary>
/// <remarks>Blocks of 16 or 8 channels (<see cref="BlockedLayout.MachineLanes"/>), eight lanes a vector. The stride-2
/// sums run kernel row by kernel row, column by column, from zero, so values do not depend on the batch or the thread
/// count.</remarks>
internal static unsafe class BlockedDepthwiseAdjoint
{
    /// <summary>Whether <see cref="InputGradient"/> runs this geometry of the forward convolution (x of
    /// <paramref name="height"/> × <paramref name="width"/>): what <see cref="BlockedDepthwise.Supports"/> takes, and at
    /// stride 1 adjoint pads of 0 or 1 (forward pads of 1 before, and after a pad that keeps the size).</summary>
    public static bool Supports(int height, int width, int stride, (int Top, int Left, int Bottom, int Right) pads)
    {
        if (!BlockedDepthwise.Supports(height, width, stride, pads)) return false;
        if (stride == 2) return true;
        var (oh, ow, adjoint) = StrideOne(height, width, pads);
        return adjoint.Top is 0 or 1 && adjoint.Left is 0 or 1 && adjoint.Bottom is 0 or 1 && adjoint.Right is 0 or 1
            && BlockedDepthwise.Supports(oh, ow, 1, adjoint);
    }

    /// <summary>dx (blocked [N, ⌈C/lanes⌉, H, W, lanes], overwritten) = the input gradient, for blocked output gradient
    /// dy, of the depthwise convolution with weights <paramref name="weights"/> [C, 1, 3, 3] (as in the ONNX graph) of
    /// an input of <paramref name="height"/> × <paramref name="width"/> at <paramref name="stride"/> with
    /// <paramref name="pads"/>; with <paramref name="mask"/> bits of dx's values (<see cref="BlockedOperand"/>), dx
    /// zeroed where a bit is clear as it is stored: the gradient through the clamp that produced x.</summary>
    public static void InputGradient(float[] dy, int batch, int channels, int height, int width, int stride,
        (int Top, int Left, int Bottom, int Right) pads, float[] weights, float[] dx, int lanes, float[]? mask = null)
    {
        if (!Supports(height, width, stride, pads))
            throw new ArgumentException($"BlockedDepthwiseAdjoint: no input gradient of stride {stride} with pads {pads} on {height}×{width}.", nameof(stride));
        if (stride == 1)
        {
            var (oh, ow, adjoint) = StrideOne(height, width, pads);
            var flipped = BlockedWeights.DepthwiseFlipped(weights, channels, lanes);
            var zero = BlockedWeights.Bias(null, channels, lanes);
            if (lanes == 8) BlockedDepthwise8.Forward(dy, batch, channels, oh, ow, 1, adjoint, flipped, zero, default, dx, mask, BlockedOperand.Mask);
            else BlockedDepthwise.Forward(dy, batch, channels, oh, ow, 1, adjoint, flipped, zero, default, dx, mask, BlockedOperand.Mask);
            return;
        }
        StrideTwo(dy, batch, channels, height, width, pads, BlockedWeights.Depthwise(weights, channels, lanes), dx, lanes, mask);
    }

    /// <summary>The output size of the forward convolution at stride 1 and the pads of its adjoint, the forward
    /// convolution on dy that gives dx: 2 − top before, and after whatever makes its output the input's size.</summary>
    private static (int Height, int Width, (int Top, int Left, int Bottom, int Right) Pads) StrideOne(int height, int width, (int Top, int Left, int Bottom, int Right) pads)
    {
        int oh = BlockedDepthwise.OutputSize(height, 1, pads.Top, pads.Bottom), ow = BlockedDepthwise.OutputSize(width, 1, pads.Left, pads.Right);
        int top = 2 - pads.Top, left = 2 - pads.Left;
        return (oh, ow, (top, left, height + 2 - oh - top, width + 2 - ow - left));
    }

    /// <summary>The stride-2 input gradient: dx row p takes kernel rows i with p + top − i even (row r = (p + top − i) / 2
    /// of dy, when inside), and column q kernel columns j likewise; each column's taps are worked out once per call.</summary>
    private static void StrideTwo(float[] dy, int batch, int channels, int height, int width, (int Top, int Left, int Bottom, int Right) pads,
        float[] w, float[] dx, int lanes, float[]? mask)
    {
        int blocks = BlockedLayout.Blocks(channels, lanes);
        int oh = BlockedDepthwise.OutputSize(height, 2, pads.Top, pads.Bottom), ow = BlockedDepthwise.OutputSize(width, 2, pads.Left, pads.Right);
        if (w.Length < blocks * 9 * lanes)
            throw new ArgumentException($"BlockedDepthwiseAdjoint: packed weights of {w.Length} floats do not fit {channels} channels.");
        if (dy.Length < BlockedLayout.Length(batch, channels, oh * ow, lanes) || dx.Length < BlockedLayout.Length(batch, channels, height * width, lanes)
            || (mask is not null && mask.Length < BlockedEpilogue.BitFloats(BlockedLayout.Length(batch, channels, height * width, lanes))))
            throw new ArgumentException($"BlockedDepthwiseAdjoint: the blocked arrays (dy {dy.Length}, dx {dx.Length}) are too short for [{batch}, {channels}, {height}×{width}] at stride 2.");
        var columns = ColumnTaps(width, ow, pads.Left);
        int top = pads.Top, left = pads.Left;
        Parallelism.For(batch * blocks * height, (long)width * 4 * lanes, (start, end) =>
        {
            fixed (float* gs = dy, ws = w, xs = dx)
            fixed (float* maskWords = mask)
            fixed (int* cs = columns)
                for (int item = start; item < end; item++)
                {
                    int plane = item / height, p = item % height;
                    var rows = Taps(p, oh, top);
                    float* g = gs + (nint)plane * oh * ow * lanes, weight = ws + (nint)(plane % blocks) * 9 * lanes;
                    nint row = ((nint)plane * height + p) * width * lanes;
                    float* target = xs + row;
                    byte* masking = maskWords is null ? null : (byte*)maskWords + row / 8;
                    if (lanes == 8) Row<Lanes8>(g, weight, target, masking, rows, cs, width, ow, left);
                    else Row<Lanes16>(g, weight, target, masking, rows, cs, width, ow, left);
                }
        });
    }

    /// <summary>The taps of each of <paramref name="size"/> positions along one axis, 5 ints a position: the count (0–2),
    /// then (kernel index, dy index) pairs, for dy positions [0, <paramref name="outSize"/>) at stride 2 after a pad of
    /// <paramref name="before"/>.</summary>
    private static int[] ColumnTaps(int size, int outSize, int before)
    {
        var taps = new int[size * 5];
        for (int q = 0; q < size; q++)
        {
            var (count, k0, s0, k1, s1) = Taps(q, outSize, before);
            taps[q * 5] = count;
            (taps[q * 5 + 1], taps[q * 5 + 2], taps[q * 5 + 3], taps[q * 5 + 4]) = (k0, s0, k1, s1);
        }
        return taps;
    }

    /// <summary>The kernel indices i (ascending) with q + before − i even and (q + before − i) / 2 in [0, outSize), at most two.</summary>
    private static (int Count, int K0, int S0, int K1, int S1) Taps(int q, int outSize, int before)
    {
        int count = 0, k0 = 0, s0 = 0, k1 = 0, s1 = 0;
        for (int i = 0; i < 3; i++)
        {
            int t = q + before - i;
            if (t < 0 || (t & 1) != 0 || t / 2 >= outSize) continue;
            if (count++ == 0) (k0, s0) = (i, t / 2);
            else (k1, s1) = (i, t / 2);
        }
        return (count, k0, s0, k1, s1);
    }

    private interface ILanes { static abstract int Count { get; } }
    private struct Lanes8 : ILanes { public static int Count => 8; }
    private struct Lanes16 : ILanes { public static int Count => 16; }

    /// <summary>One dx row of one block: Σ over its row taps, then over each column's taps, of w · dy, from zero (zeroed
    /// where a bit of the row's mask bits, when given, is clear). Inside the row, column pairs run without the tap
    /// table: q with q + left = 2s takes kernel columns 0 (dy column s) and 2 (s − 1), q + 1 takes column 1 (s) — the
    /// table's taps in the table's order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TLanes>(float* g, float* weight, float* target, byte* mask, (int Count, int K0, int S0, int K1, int S1) rows,
        int* columns, int width, int ow, int left) where TLanes : struct, ILanes
    {
        int lanes = TLanes.Count;
        float* r0 = g + (nint)rows.S0 * ow * lanes, r1 = g + (nint)rows.S1 * ow * lanes;
        float* w0 = weight + rows.K0 * 3 * lanes, w1 = weight + rows.K1 * 3 * lanes;
        int q = 0;
        for (; q < width && (((q + left) & 1) != 0 || q + left < 2); q++) Column<TLanes>(r0, r1, w0, w1, rows.Count, target, mask, columns + q * 5, q);
        for (; q + 1 < width && (q + left) / 2 < ow; q += 2)
        {
            nint s = (q + left) / 2;
            for (int v = 0; v < lanes; v += 8)
            {
                Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;
                if (rows.Count > 0)
                {
                    even = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + v), Vector256.Load(r0 + s * lanes + v), even);
                    even = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + 2 * lanes + v), Vector256.Load(r0 + (s - 1) * lanes + v), even);
                    odd = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + lanes + v), Vector256.Load(r0 + s * lanes + v), odd);
                }
                if (rows.Count > 1)
                {
                    even = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + v), Vector256.Load(r1 + s * lanes + v), even);
                    even = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + 2 * lanes + v), Vector256.Load(r1 + (s - 1) * lanes + v), even);
                    odd = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + lanes + v), Vector256.Load(r1 + s * lanes + v), odd);
                }
                nint at = (nint)q * lanes + v;
                if (mask is not null)
                {
                    even &= BlockedActivation.Lanes(mask[at / 8]);
                    odd &= BlockedActivation.Lanes(mask[(at + lanes) / 8]);
                }
                even.Store(target + at);
                odd.Store(target + at + lanes);
            }
        }
        for (; q < width; q++) Column<TLanes>(r0, r1, w0, w1, rows.Count, target, mask, columns + q * 5, q);
    }

    /// <summary>dx column q of a row from its taps in the table (<see cref="ColumnTaps"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column<TLanes>(float* r0, float* r1, float* w0, float* w1, int rowTaps, float* target, byte* mask, int* c, int q)
        where TLanes : struct, ILanes
    {
        int lanes = TLanes.Count;
        for (int v = 0; v < lanes; v += 8)
        {
            var sum = Vector256<float>.Zero;
            if (rowTaps > 0)
            {
                if (c[0] > 0) sum = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + c[1] * lanes + v), Vector256.Load(r0 + (nint)c[2] * lanes + v), sum);
                if (c[0] > 1) sum = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + c[3] * lanes + v), Vector256.Load(r0 + (nint)c[4] * lanes + v), sum);
            }
            if (rowTaps > 1)
            {
                if (c[0] > 0) sum = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + c[1] * lanes + v), Vector256.Load(r1 + (nint)c[2] * lanes + v), sum);
                if (c[0] > 1) sum = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + c[3] * lanes + v), Vector256.Load(r1 + (nint)c[4] * lanes + v), sum);
            }
            nint at = (nint)q * lanes + v;
            if (mask is not null) sum &= BlockedActivation.Lanes(mask[at / 8]);
            sum.Store(target + at);
        }
    }
}
