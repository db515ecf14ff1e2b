using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The 3×3 depthwise convolutions of <see cref="DepthwiseConv3x3"/> on narrow planes (MobileNet's 7×7 outputs),
/// vectorised across 16 channels instead of along a row, as ONNX Runtime's NCHWc kernels are: a row of 7 outputs
/// fills 7 of 16 lanes, 16 channels fill all of them. Per (image, block of 16 channels): the input planes are
/// transposed into a zero-padded channels-last tile [TH, TW, 16] (16×16 register transposes of 16 consecutive plane
/// positions), each output position is nine multiply-adds of 16-channel vectors with the weights arranged [9, 16], the
/// bias and activation (<see cref="ConvEpilogue.Block"/>) are applied, and the [OH·OW, 16] result is transposed back
/// into the NCHW planes. The stride-2 input gradient runs the same way from a padded tile of dy (the stride-1 one is a
/// forward pass with the kernel flipped, see <see cref="ConvDepthwise"/>), and the weight gradient keeps nine
/// 16-channel sums per block over the tiles of x and dy, image by image.
/// </summary>
/// <remarks>y[c, r, s] = Σ_{i, j} w[c, i, j] · T[r·stride + i, s·stride + j, c] with T[h + top, w + left, c] = x[c, h, w]
/// and zero elsewhere. Each output sums its taps in <see cref="DepthwiseConv3x3"/>'s order (kernel row by row, the
/// first tap multiplied, not added to zero), and the input gradient in <see cref="DepthwiseConv3x3Stride2"/>'s, so
/// both are bitwise equal to those kernels. Faster than them only while a row fills few lanes: the two transposes
/// cost about as much as the arithmetic (see <see cref="MaxOutWidth"/>).</remarks>
internal static class DepthwiseConv3x3ChannelsLast
{
    /// <summary>Channels per block: the lanes of a vector.</summary>
    private const int Lanes = 16;

    /// <summary>The widest output row this kernel takes: half a vector. Measured with <c>bench depthwise</c> on
    /// MobileNetV2's layers (one thread): 7-wide outputs ran 1.3–1.8× faster here than in the row kernels, 14-wide ones
    /// about 2× slower, as a 14-wide row already fills 14 of 16 lanes and the transposes cost more than the arithmetic.</summary>
    public const int MaxOutWidth = 8;

    /// <summary>True where <see cref="DepthwiseConv3x3"/> applies and the output rows are at most
    /// <see cref="MaxOutWidth"/> wide.</summary>
    public static bool Applies(in ConvGeometry g) => DepthwiseConv3x3.Applies(g) && g.OutWidth <= MaxOutWidth;

    /// <summary>Blocks of 16 channels (the last may be ragged) in all images: the items of the parallel loops.</summary>
    public static int Blocks(in ConvGeometry g) => g.Batch * ((g.InChannels + Lanes - 1) / Lanes);

    /// <summary>Blocks [<paramref name="start"/>, <paramref name="end"/>) of y = finish(depthwise conv(x, w)), block b
    /// being image b / ⌈C/16⌉, channels 16·(b mod ⌈C/16⌉) onward (y overwritten), with w as
    /// <see cref="ArrangeWeights"/> left it in <paramref name="arranged"/>, for geometries where
    /// <see cref="DepthwiseConv3x3.Applies"/> holds.</summary>
    public static unsafe void Forward(float[] x, float[] arranged, float[] y, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
    {
        fixed (float* xs = x, ws = arranged, ys = y)
        {
            switch (finish.Kind)
            {
                case ConvActivationKind.Clamp when finish.WatchesTies: Forward<ConvEpilogue.WatchedClampOperation>(xs, ws, ys, g, finish, start, end); break;
                case ConvActivationKind.Clamp: Forward<ConvEpilogue.ClampOperation>(xs, ws, ys, g, finish, start, end); break;
                case ConvActivationKind.Leaky: Forward<ConvEpilogue.LeakyOperation>(xs, ws, ys, g, finish, start, end); break;
                default: Forward<ConvEpilogue.BiasOnly>(xs, ws, ys, g, finish, start, end); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Forward<TActivation>(float* xs, float* ws, float* ys, in ConvGeometry g, in ConvEpilogue finish, int start, int end)
        where TActivation : struct, ConvEpilogue.IActivationOperation
    {
        int stride = g.StrideW, oh = g.OutHeight, ow = g.OutWidth, channels = g.InChannels, groups = (channels + Lanes - 1) / Lanes;
        int th = Math.Max(g.InHeight + g.PadTop, (oh - 1) * stride + 3), tw = Math.Max(g.InWidth + g.PadLeft, (ow - 1) * stride + 3);
        int tileLength = th * tw * Lanes, outLength = RoundUp(g.OutPlane) * Lanes;
        var buffer = ArrayPool<float>.Shared.Rent(tileLength + outLength + Lanes);
        var offsets = TileOffsets(g.InPlane, g.InWidth, tw);
        try
        {
            fixed (float* rented = buffer)
            fixed (int* positions = offsets)
            {
                float* aligned = (float*)(((nint)rented + 63) & ~(nint)63);      // 64-byte rows: no load splits a line
                float* tile = aligned, result = tile + tileLength;
                new Span<float>(tile, tileLength).Clear();                         // the padding; inputs overwrite the rest
                for (int b = start; b < end; b++)
                {
                    int n = b / groups, first = b % groups * Lanes, count = Math.Min(Lanes, channels - first);
                    ToTile(xs + ((nint)n * channels + first) * g.InPlane, g.InPlane, count, positions, tile + (g.PadTop * tw + g.PadLeft) * Lanes);
                    var lanes = finish.Block(first, count);
                    lanes.Report(Convolve<TActivation>(tile, tw, stride, oh, ow, ws + first * 9, lanes, result));
                    FromTile(result, g.OutPlane, count, ys + ((nint)n * channels + first) * g.OutPlane);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>The outputs of one block from its tile (row pitch <paramref name="tw"/> positions) into
    /// <paramref name="result"/> [OH·OW, 16], finished by <paramref name="lanes"/>; returns the lanes a watched clamp
    /// found on a bound. A method of its own, with no call inside, so that the nine weights and the sliding input
    /// columns stay in registers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe Vector512<float> Convolve<TActivation>(float* tile, int tw, int stride, int oh, int ow, float* weights,
        in ConvEpilogue.ChannelBlockLanes lanes, float* result)
        where TActivation : struct, ConvEpilogue.IActivationOperation
    {
        var w0 = Vector512.Load(weights); var w1 = Vector512.Load(weights + 16); var w2 = Vector512.Load(weights + 32);
        var w3 = Vector512.Load(weights + 48); var w4 = Vector512.Load(weights + 64); var w5 = Vector512.Load(weights + 80);
        var w6 = Vector512.Load(weights + 96); var w7 = Vector512.Load(weights + 112); var w8 = Vector512.Load(weights + 128);
        var touched = Vector512<float>.Zero;
        float* target = result;
        for (int r = 0; r < oh; r++)
        {
            // the three tile rows under output row r; each output's nine taps in registers, columns slid along
            float* q0 = tile + r * stride * tw * Lanes, q1 = q0 + tw * Lanes, q2 = q1 + tw * Lanes;
            var a0 = Vector512.Load(q0); var b0 = Vector512.Load(q1); var c0 = Vector512.Load(q2);
            if (stride == 1)
            {
                var a1 = Vector512.Load(q0 + Lanes); var b1 = Vector512.Load(q1 + Lanes); var c1 = Vector512.Load(q2 + Lanes);
                for (int s = 0, at = 2 * Lanes; s < ow; s++, at += Lanes, target += Lanes)
                {
                    var a2 = Vector512.Load(q0 + at); var b2 = Vector512.Load(q1 + at); var c2 = Vector512.Load(q2 + at);
                    var acc = DepthwiseConv3x3.FirstRow(a0, a1, a2, w0, w1, w2);
                    acc = DepthwiseConv3x3.NextRow(acc, b0, b1, b2, w3, w4, w5);
                    acc = DepthwiseConv3x3.NextRow(acc, c0, c1, c2, w6, w7, w8);
                    lanes.Apply<TActivation>(acc, ref touched).Store(target);
                    a0 = a1; a1 = a2; b0 = b1; b1 = b2; c0 = c1; c1 = c2;
                }
                continue;
            }
            for (int s = 0, at = Lanes; s < ow; s++, at += 2 * Lanes, target += Lanes)
            {
                var a1 = Vector512.Load(q0 + at); var b1 = Vector512.Load(q1 + at); var c1 = Vector512.Load(q2 + at);
                var a2 = Vector512.Load(q0 + at + Lanes); var b2 = Vector512.Load(q1 + at + Lanes); var c2 = Vector512.Load(q2 + at + Lanes);
                var acc = DepthwiseConv3x3.FirstRow(a0, a1, a2, w0, w1, w2);
                acc = DepthwiseConv3x3.NextRow(acc, b0, b1, b2, w3, w4, w5);
                acc = DepthwiseConv3x3.NextRow(acc, c0, c1, c2, w6, w7, w8);
                lanes.Apply<TActivation>(acc, ref touched).Store(target);
                a0 = a2; b0 = b2; c0 = c2;
            }
        }
        return touched;
    }

    /// <summary>Blocks [<paramref name="start"/>, <paramref name="end"/>) (as in <see cref="Forward"/>) of dx = the
    /// stride-2 input gradient for output gradient dy (dx overwritten), in <see cref="DepthwiseConv3x3Stride2"/>'s
    /// order: with q = h + top, p = c + left, R = ⌊q/2⌋, M = ⌊p/2⌋, dx[h, c] sums the taps (i, j) ∈ {q even: 0, 2;
    /// odd: 1} × {p even: 0, 2; odd: 1} of dy[R − i/2, M − j/2] (i, j even) or dy[R, M] (odd). The filters as
    /// <see cref="ArrangeWeights"/> left them in <paramref name="arranged"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void InputGradient(float[] dy, float[] arranged, float[] dx, in ConvGeometry g, int start, int end)
    {
        int oh = g.OutHeight, ow = g.OutWidth, h = g.InHeight, width = g.InWidth, channels = g.InChannels, groups = (channels + Lanes - 1) / Lanes;
        // dy at [R + 1, M + 1]: a zero row above and column to the left, and zeros up to the last R, M that dx reads
        int th = Math.Max(oh, (h - 1 + g.PadTop) / 2 + 1) + 1, tw = Math.Max(ow, (width - 1 + g.PadLeft) / 2 + 1) + 1;
        int tileLength = th * tw * Lanes, outLength = RoundUp(g.InPlane) * Lanes;
        var buffer = ArrayPool<float>.Shared.Rent(tileLength + outLength + Lanes);
        var offsets = TileOffsets(g.OutPlane, ow, tw);
        try
        {
            fixed (float* rented = buffer, ds = dy, ws = arranged, xs = dx)
            fixed (int* positions = offsets)
            {
                float* tile = (float*)(((nint)rented + 63) & ~(nint)63), result = tile + tileLength;
                new Span<float>(tile, tileLength).Clear();
                for (int b = start; b < end; b++)
                {
                    int n = b / groups, first = b % groups * Lanes, count = Math.Min(Lanes, channels - first);
                    ToTile(ds + ((nint)n * channels + first) * g.OutPlane, g.OutPlane, count, positions, tile + (tw + 1) * Lanes);
                    float* weights = ws + first * 9;
                    var w0 = Vector512.Load(weights); var w1 = Vector512.Load(weights + 16); var w2 = Vector512.Load(weights + 32);
                    var w3 = Vector512.Load(weights + 48); var w4 = Vector512.Load(weights + 64); var w5 = Vector512.Load(weights + 80);
                    var w6 = Vector512.Load(weights + 96); var w7 = Vector512.Load(weights + 112); var w8 = Vector512.Load(weights + 128);
                    float* target = result;
                    for (int row = 0; row < h; row++)
                    {
                        int q = row + g.PadTop;
                        float* a = tile + (q / 2 + 1) * tw * Lanes, before = a - tw * Lanes;      // dy rows R and R − 1
                        for (int col = 0; col < width; col++, target += Lanes)
                        {
                            int p = col + g.PadLeft;
                            float* at = a + (p / 2 + 1) * Lanes;                                   // dy[R, M]; dy[R, M − 1] before it
                            var a0 = Vector512.Load(at);
                            Vector512<float> sum;
                            if ((q & 1) == 0)
                            {
                                float* b0 = before + (p / 2 + 1) * Lanes;
                                sum = (p & 1) == 0
                                    ? Vector512.FusedMultiplyAdd(Vector512.Load(b0 - Lanes), w8, Vector512.FusedMultiplyAdd(Vector512.Load(b0), w6,
                                        Vector512.FusedMultiplyAdd(Vector512.Load(at - Lanes), w2, a0 * w0)))
                                    : Vector512.FusedMultiplyAdd(Vector512.Load(b0), w7, a0 * w1);
                            }
                            else sum = (p & 1) == 0 ? Vector512.FusedMultiplyAdd(Vector512.Load(at - Lanes), w5, a0 * w3) : a0 * w4;
                            sum.Store(target);
                        }
                    }
                    FromTile(result, g.InPlane, count, xs + ((nint)n * channels + first) * g.InPlane);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>Channel blocks [<paramref name="start"/>, <paramref name="end"/>) (channels 16·b onward, all images) of
    /// dw = Σ_n Σ_{r, s} dy[n, c, r, s] · T_n[r·stride + i, s·stride + j, c] (dw overwritten): each image's input and
    /// output-gradient planes transposed to tiles, nine vector accumulators per block. Another summation order than
    /// <see cref="DepthwiseConv3x3WeightGradient"/> (position by position, images in turn), so it agrees with it to
    /// rounding; tile positions no output reads are never multiplied (an unread ∞ column stays out).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void WeightGradient(float[] dy, float[] x, float[] dw, in ConvGeometry g, int start, int end)
    {
        int stride = g.StrideW, oh = g.OutHeight, ow = g.OutWidth, channels = g.InChannels;
        int th = Math.Max(g.InHeight + g.PadTop, (oh - 1) * stride + 3), tw = Math.Max(g.InWidth + g.PadLeft, (ow - 1) * stride + 3);
        int tileLength = th * tw * Lanes, gradLength = RoundUp(g.OutPlane) * Lanes;
        var buffer = ArrayPool<float>.Shared.Rent(tileLength + gradLength + 9 * Lanes + Lanes);
        var inputOffsets = TileOffsets(g.InPlane, g.InWidth, tw);
        var gradOffsets = TileOffsets(g.OutPlane, ow, ow);
        try
        {
            fixed (float* rented = buffer, xs = x, ds = dy, target = dw)
            fixed (int* inputs = inputOffsets, grads = gradOffsets)
            {
                float* tile = (float*)(((nint)rented + 63) & ~(nint)63), grad = tile + tileLength, sums = grad + gradLength;
                new Span<float>(tile, tileLength).Clear();
                for (int b = start; b < end; b++)
                {
                    int first = b * Lanes, count = Math.Min(Lanes, channels - first);
                    var (s0, s1, s2, s3, s4, s5, s6, s7, s8) = (Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero,
                        Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero, Vector512<float>.Zero);
                    for (int n = 0; n < g.Batch; n++)
                    {
                        ToTile(xs + ((nint)n * channels + first) * g.InPlane, g.InPlane, count, inputs, tile + (g.PadTop * tw + g.PadLeft) * Lanes);
                        ToTile(ds + ((nint)n * channels + first) * g.OutPlane, g.OutPlane, count, grads, grad);
                        Accumulate(tile, tw, stride, oh, ow, grad, ref s0, ref s1, ref s2, ref s3, ref s4, ref s5, ref s6, ref s7, ref s8);
                    }
                    s0.Store(sums); s1.Store(sums + 16); s2.Store(sums + 32); s3.Store(sums + 48); s4.Store(sums + 64);
                    s5.Store(sums + 80); s6.Store(sums + 96); s7.Store(sums + 112); s8.Store(sums + 128);
                    for (int c = 0; c < count; c++)
                        for (int k = 0; k < 9; k++) target[(first + c) * 9 + k] = sums[k * Lanes + c];
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
            ArrayPool<int>.Shared.Return(inputOffsets);
            ArrayPool<int>.Shared.Return(gradOffsets);
        }
    }

    /// <summary>One image's contribution to the nine tap sums of a block: s_k += dy[r, s] · T[r·stride + i, s·stride + j]
    /// for k = 3i + j, position by position (call-free, so that the sums stay in registers).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Accumulate(float* tile, int tw, int stride, int oh, int ow, float* grad,
        ref Vector512<float> sum0, ref Vector512<float> sum1, ref Vector512<float> sum2, ref Vector512<float> sum3, ref Vector512<float> sum4,
        ref Vector512<float> sum5, ref Vector512<float> sum6, ref Vector512<float> sum7, ref Vector512<float> sum8)
    {
        var (s0, s1, s2, s3, s4, s5, s6, s7, s8) = (sum0, sum1, sum2, sum3, sum4, sum5, sum6, sum7, sum8);
        for (int r = 0; r < oh; r++)
        {
            float* row = tile + r * stride * tw * Lanes;
            for (int s = 0; s < ow; s++, grad += Lanes)
            {
                var d = Vector512.Load(grad);
                float* p0 = row + s * stride * Lanes, p1 = p0 + tw * Lanes, p2 = p1 + tw * Lanes;
                s0 = Vector512.FusedMultiplyAdd(d, Vector512.Load(p0), s0);
                s1 = Vector512.FusedMultiplyAdd(d, Vector512.Load(p0 + Lanes), s1);
                s2 = Vector512.FusedMultiplyAdd(d, Vector512.Load(p0 + 2 * Lanes), s2);
                s3 = Vector512.FusedMultiplyAdd(d, Vector512.Load(p1), s3);
                s4 = Vector512.FusedMultiplyAdd(d, Vector512.Load(p1 + Lanes), s4);
                s5 = Vector512.FusedMultiplyAdd(d, Vector512.Load(p1 + 2 * Lanes), s5);
                s6 = Vector512.FusedMultiplyAdd(d, Vector512.Load(p2), s6);
                s7 = Vector512.FusedMultiplyAdd(d, Vector512.Load(p2 + Lanes), s7);
                s8 = Vector512.FusedMultiplyAdd(d, Vector512.Load(p2 + 2 * Lanes), s8);
            }
        }
        (sum0, sum1, sum2, sum3, sum4, sum5, sum6, sum7, sum8) = (s0, s1, s2, s3, s4, s5, s6, s7, s8);
    }

    /// <summary>A plane's last positions, if no more than this, move one value at a time (the 49th of a 7×7 plane):
    /// cheaper than a whole 16×16 transpose.</summary>
    private const int FewPositions = 2;

    private static int RoundUp(int positions) => (positions + Lanes - 1) / Lanes * Lanes;

    /// <summary>The filters w [C, 3, 3] as [⌈C/16⌉, 9, 16], for <see cref="Forward"/> and <see cref="InputGradient"/>:
    /// tap k of channel 16·b + c at (9·b + k)·16 + c, zero past channel C (one transpose per block of the [16, 9]
    /// filters). Rented: hand it back with <see cref="ReturnWeights"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe float[] ArrangeWeights(float[] w, int channels)
    {
        int groups = (channels + Lanes - 1) / Lanes;
        var arranged = ArrayPool<float>.Shared.Rent(groups * 9 * Lanes);
        int* offsets = stackalloc int[Lanes];
        for (int k = 0; k < 9; k++) offsets[k] = k * Lanes;
        fixed (float* source = w, target = arranged)
            for (int b = 0; b < groups; b++)
                Transpose(source + b * Lanes * 9, 9, Math.Min(Lanes, channels - b * Lanes), DepthwiseConv3x3.Inside(0, 9), target + b * 9 * Lanes, offsets, 9, Vector512<float>.AllBitsSet);
        return arranged;
    }

    /// <summary>Returns the array of <see cref="ArrangeWeights"/> to the pool.</summary>
    public static void ReturnWeights(float[] arranged) => ArrayPool<float>.Shared.Return(arranged);

    /// <summary>Transposes <paramref name="count"/> planes of <paramref name="plane"/> values at
    /// <paramref name="planes"/> (consecutive) into the channels-last tile: position q to <paramref name="origin"/> +
    /// offsets[q] (<see cref="TileOffsets"/>). Lanes past
    /// <paramref name="count"/> become zero; tile positions outside the plane are not written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ToTile(float* planes, int plane, int count, int* offsets, float* origin)
    {
        var all = Vector512<float>.AllBitsSet;
        for (int first = 0; first < plane; first += Lanes)
        {
            int positions = Math.Min(Lanes, plane - first);
            if (positions > FewPositions) { Transpose(planes + first, plane, count, DepthwiseConv3x3.Inside(first, plane), origin, offsets + first, positions, all); continue; }
            for (int k = first; k < plane; k++)
                for (int c = 0; c < Lanes; c++) origin[offsets[k] + c] = c < count ? planes[(nint)c * plane + k] : 0f;
        }
    }

    /// <summary>The tile offset of each plane position, (h·<paramref name="pitch"/> + w)·16 for position
    /// h·<paramref name="width"/> + w (the same for every block of a call; rented).</summary>
    private static int[] TileOffsets(int plane, int width, int pitch)
    {
        var offsets = ArrayPool<int>.Shared.Rent(plane);
        for (int q = 0; q < plane; q++) offsets[q] = (q / width * pitch + q % width) * Lanes;
        return offsets;
    }

    /// <summary>Transposes the channels-last positions [<paramref name="plane"/>, 16] at <paramref name="tile"/> (rows
    /// rounded up to 16 positions) back into <paramref name="count"/> consecutive planes at <paramref name="planes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FromTile(float* tile, int plane, int count, float* planes)
    {
        int* offsets = stackalloc int[Lanes];
        for (int c = 0; c < Lanes; c++) offsets[c] = c * plane;
        var all = Vector512<float>.AllBitsSet;
        for (int first = 0; first < plane; first += Lanes)
        {
            if (plane - first > FewPositions) { Transpose(tile + first * Lanes, Lanes, Lanes, all, planes + first, offsets, count, DepthwiseConv3x3.Inside(first, plane)); continue; }
            for (int k = first; k < plane; k++)
                for (int c = 0; c < count; c++) planes[(nint)c * plane + k] = tile[k * Lanes + c];
        }
    }

    /// <summary>One 16×16 transpose in registers: row i (i &lt; <paramref name="rows"/>, the others zero) loaded from
    /// <paramref name="source"/> + i·<paramref name="pitch"/> under <paramref name="loadMask"/>; column k
    /// (k &lt; <paramref name="columns"/>) stored to <paramref name="target"/> + offsets[k] under
    /// <paramref name="storeMask"/>. 32 in-lane unpacks and 32 shuffles of 128-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Transpose(float* source, nint pitch, int rows, Vector512<float> loadMask, float* target, int* offsets, int columns, Vector512<float> storeMask)
    {
        var z = Vector512<float>.Zero;
        if (Vector512.EqualsAll(loadMask.AsInt32(), Vector512<int>.AllBitsSet)) loadMask = default;   // plain loads below
        var r0 = Load(source, loadMask);
        var r1 = rows > 1 ? Load(source + pitch, loadMask) : z;
        var r2 = rows > 2 ? Load(source + 2 * pitch, loadMask) : z;
        var r3 = rows > 3 ? Load(source + 3 * pitch, loadMask) : z;
        var r4 = rows > 4 ? Load(source + 4 * pitch, loadMask) : z;
        var r5 = rows > 5 ? Load(source + 5 * pitch, loadMask) : z;
        var r6 = rows > 6 ? Load(source + 6 * pitch, loadMask) : z;
        var r7 = rows > 7 ? Load(source + 7 * pitch, loadMask) : z;
        var r8 = rows > 8 ? Load(source + 8 * pitch, loadMask) : z;
        var r9 = rows > 9 ? Load(source + 9 * pitch, loadMask) : z;
        var r10 = rows > 10 ? Load(source + 10 * pitch, loadMask) : z;
        var r11 = rows > 11 ? Load(source + 11 * pitch, loadMask) : z;
        var r12 = rows > 12 ? Load(source + 12 * pitch, loadMask) : z;
        var r13 = rows > 13 ? Load(source + 13 * pitch, loadMask) : z;
        var r14 = rows > 14 ? Load(source + 14 * pitch, loadMask) : z;
        var r15 = rows > 15 ? Load(source + 15 * pitch, loadMask) : z;
        Interleave4(r0, r1, r2, r3, out var u0, out var u1, out var u2, out var u3);
        Interleave4(r4, r5, r6, r7, out var u4, out var u5, out var u6, out var u7);
        Interleave4(r8, r9, r10, r11, out var u8, out var u9, out var u10, out var u11);
        Interleave4(r12, r13, r14, r15, out var u12, out var u13, out var u14, out var u15);
        Gather4(u0, u4, u8, u12, out r0, out r4, out r8, out r12);
        Gather4(u1, u5, u9, u13, out r1, out r5, out r9, out r13);
        Gather4(u2, u6, u10, u14, out r2, out r6, out r10, out r14);
        Gather4(u3, u7, u11, u15, out r3, out r7, out r11, out r15);
        bool partial = !Vector512.EqualsAll(storeMask.AsInt32(), Vector512<int>.AllBitsSet);
        Store(target + offsets[0], storeMask, partial, r0);
        if (columns > 1) Store(target + offsets[1], storeMask, partial, r1);
        if (columns > 2) Store(target + offsets[2], storeMask, partial, r2);
        if (columns > 3) Store(target + offsets[3], storeMask, partial, r3);
        if (columns > 4) Store(target + offsets[4], storeMask, partial, r4);
        if (columns > 5) Store(target + offsets[5], storeMask, partial, r5);
        if (columns > 6) Store(target + offsets[6], storeMask, partial, r6);
        if (columns > 7) Store(target + offsets[7], storeMask, partial, r7);
        if (columns > 8) Store(target + offsets[8], storeMask, partial, r8);
        if (columns > 9) Store(target + offsets[9], storeMask, partial, r9);
        if (columns > 10) Store(target + offsets[10], storeMask, partial, r10);
        if (columns > 11) Store(target + offsets[11], storeMask, partial, r11);
        if (columns > 12) Store(target + offsets[12], storeMask, partial, r12);
        if (columns > 13) Store(target + offsets[13], storeMask, partial, r13);
        if (columns > 14) Store(target + offsets[14], storeMask, partial, r14);
        if (columns > 15) Store(target + offsets[15], storeMask, partial, r15);
    }

    /// <summary>A vector from <paramref name="p"/>, or its lanes in <paramref name="mask"/> (the others zero) unless
    /// the mask is zero, which stands for all lanes (a plain load: masked ones cost more on some processors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Load(float* p, Vector512<float> mask) =>
        mask == default ? Vector512.Load(p) : Avx512F.MaskLoad(p, mask, default);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* p, Vector512<float> mask, bool partial, Vector512<float> value)
    {
        if (partial) Avx512F.MaskStore(p, mask, value);
        else value.Store(p);
    }

    /// <summary>Transpose, first half: from rows a, b, c, d, u_k holds in 128-bit lane L the elements 4L + k of the
    /// four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d,
        out Vector512<float> u0, out Vector512<float> u1, out Vector512<float> u2, out Vector512<float> u3)
    {
        var t0 = Avx512F.UnpackLow(a, b).AsDouble(); var t1 = Avx512F.UnpackHigh(a, b).AsDouble();
        var t2 = Avx512F.UnpackLow(c, d).AsDouble(); var t3 = Avx512F.UnpackHigh(c, d).AsDouble();
        u0 = Avx512F.UnpackLow(t0, t2).AsSingle();
        u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        u2 = Avx512F.UnpackLow(t1, t3).AsSingle();
        u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
    }

    /// <summary>Transpose, second half: rows k, 4 + k, 8 + k, 12 + k of the result are lanes 0, 1, 2, 3 of the four
    /// row groups' u_k (<paramref name="a"/> … <paramref name="d"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gather4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d,
        out Vector512<float> lane0, out Vector512<float> lane1, out Vector512<float> lane2, out Vector512<float> lane3)
    {
        var low01 = Avx512F.Shuffle4x128(a, b, 0x44); var low23 = Avx512F.Shuffle4x128(c, d, 0x44);
        var high01 = Avx512F.Shuffle4x128(a, b, 0xEE); var high23 = Avx512F.Shuffle4x128(c, d, 0xEE);
        lane0 = Avx512F.Shuffle4x128(low01, low23, 0x88);
        lane1 = Avx512F.Shuffle4x128(low01, low23, 0xDD);
        lane2 = Avx512F.Shuffle4x128(high01, high23, 0x88);
        lane3 = Avx512F.Shuffle4x128(high01, high23, 0xDD);
    }
}
