using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The NCHW8c kernels of AVX2 machines (<see cref="BlockedPointwise8"/>, <see cref="BlockedDepthwise8"/>,
/// <see cref="BlockedDirect8"/>) bitwise against scalar loops that spell out the summation order of entry 59 (each
/// output sums its terms in ascending order from zero, one fused multiply-add each, then adds the bias, then the
/// residual, then clamps with x86's max and min), on ragged channel counts (lone and partial blocks), widths 1–40, odd
/// planes, pads 0 and 1 per side, strides 1 and 2, batch 3; the 8-lane reorder round trip; and the kernels bitwise
/// equal to the 16-channel ones (which run here too, on Vector512's software fallback). Independence of the batch and
/// the thread count: BlockedConvolutionTests, for both widths.</summary>
public class Blocked8Tests
{
    private const int Lanes = 8;
    private static readonly ConvActivation[] Activations = [default, ConvActivation.Clamp(0f, 6f), ConvActivation.Clamp(0f, null)];

    private static bool Runs => Avx2.IsSupported && Fma.IsSupported && Vector256.IsHardwareAccelerated;

    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    private static float Finish(float sum, float bias, float residual, ConvActivation act)
    {
        float v = sum + bias + residual;
        if (act.Kind != ConvActivationKind.Clamp) return v;
        v = act.Min > v ? act.Min : v;          // vmaxps(min, v)
        return act.Max < v ? act.Max : v;       // vminps(max, v)
    }

    private static float[] Blocked(float[] x, int batch, int channels, int plane, int lanes = Lanes)
    {
        var y = new float[BlockedLayout.Length(batch, channels, plane, lanes)];
        BlockedLayout.ToBlocked(x, batch, channels, plane, y, 0, lanes);
        return y;
    }

    private static float[] Plain(float[] y, int batch, int channels, int plane, int lanes = Lanes)
    {
        var x = new float[batch * channels * plane];
        BlockedLayout.FromBlocked(y, batch, channels, plane, x, 0, lanes);
        return x;
    }

    private static void AssertBitwise(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
    }

    [Fact]
    public void Reordering_to_8_lanes_round_trips_bitwise_and_pads_the_last_block_with_zeros()
    {
        foreach (var (c, plane) in new[] { (3, 5), (8, 8), (13, 37), (24, 143), (40, 17), (16, 64) })
        {
            var x = Random(3 * c * plane, c + plane);
            var y = Blocked(x, 3, c, plane);
            int blocks = (c + 7) / 8;
            Assert.Equal(3 * blocks * plane * 8, y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                int lane = i % 8, p = i / 8 % plane, cb = i / (8 * plane) % blocks, n = i / (8 * plane * blocks), ch = cb * 8 + lane;
                Assert.Equal(ch < c ? x[(n * c + ch) * plane + p] : 0f, y[i]);
            }
            Assert.Equal(x, Plain(y, 3, c, plane));
        }
    }

    public static IEnumerable<object[]> PointwiseCases()
    {
        int k = 0;
        foreach (int c in new[] { 1, 8, 13, 16, 24, 40 })
            foreach (int o in new[] { 3, 8, 16, 24, 40, 56 })
            {
                int plane = new[] { 1, 5, 7, 12, 13, 49, 143 }[k % 7];
                yield return [c, o, plane, k % 2 == 0 ? 1 : 3, k % 3, k % 4 == 1];
                k++;
            }
    }

    [Theory]
    [MemberData(nameof(PointwiseCases))]
    public void Pointwise_sums_in_its_documented_order_bitwise(int c, int o, int plane, int batch, int activation, bool residual)
    {
        if (!Runs) return;
        var act = Activations[activation];
        float[] x = Random(batch * c * plane, 40 + c), w = Random(o * c, 41), b = Random(o, 42);
        float[]? r = residual ? Random(batch * o * plane, 43) : null;
        var expected = new float[batch * o * plane];
        for (int n = 0; n < batch; n++)
            for (int oc = 0; oc < o; oc++)
                for (int p = 0; p < plane; p++)
                {
                    float a = 0f;
                    for (int ic = 0; ic < c; ic++) a = MathF.FusedMultiplyAdd(x[(n * c + ic) * plane + p], w[oc * c + ic], a);
                    int at = (n * o + oc) * plane + p;
                    expected[at] = Finish(a, b[oc], r is null ? 0f : r[at], act);
                }
        var y = new float[BlockedLayout.Length(batch, o, plane, Lanes)];
        BlockedPointwise8.Forward(Blocked(x, batch, c, plane), batch, c, plane, o, BlockedWeights.Pointwise(w, o, c, Lanes), BlockedWeights.Bias(b, o, Lanes),
            r is null ? null : Blocked(r, batch, o, plane), act, y);
        AssertBitwise(expected, Plain(y, batch, o, plane), $"pointwise {c}→{o} ×{plane} ×{batch}");
        for (int i = 0; i < y.Length; i++)                                     // the padding lanes stay zero for the next layer
            if (i / (plane * Lanes) % ((o + 7) / 8) == (o - 1) / 8 && i % 8 >= o % 8 && o % 8 != 0) Assert.Equal(0f, y[i]);
    }

    public static IEnumerable<object[]> DepthwiseCases()
    {
        int k = 0;
        foreach (int width in Enumerable.Range(1, 40))
            foreach (int stride in new[] { 1, 2 })
            {
                int bits = (k * 5 + width) % 16;                                // pad bits: bottom, right, top, left
                yield return [new[] { 8, 13, 24, 5 }[k % 4], 1 + k % 5, width, stride, bits, k % 3];
                k++;
            }
        yield return [32, 7, 7, 1, 0b1111, 1];          // MobileNetV2's 7×7 layers
        yield return [32, 7, 7, 2, 0b0011, 1];
        yield return [144, 56, 56, 2, 0b0011, 1];       // a stride-2 layer as TensorFlow pads it
    }

    [Theory]
    [MemberData(nameof(DepthwiseCases))]
    public void Depthwise_sums_in_its_documented_order_bitwise(int channels, int h, int w, int stride, int padBits, int activation)
    {
        if (!Runs) return;
        var pads = (Top: padBits >> 2 & 1, Left: padBits >> 3 & 1, Bottom: padBits & 1, Right: padBits >> 1 & 1);
        if (h + pads.Top + pads.Bottom < 3 || w + pads.Left + pads.Right < 3) pads = (1, 1, 1, 1);
        if (h + 2 < 3 || w + 2 < 3) return;
        const int batch = 3;
        var act = Activations[activation];
        float[] x = Random(batch * channels * h * w, 20 + w), weights = Random(channels * 9, 21), bias = Random(channels, 22);
        int oh = BlockedDepthwise.OutputSize(h, stride, pads.Top, pads.Bottom), ow = BlockedDepthwise.OutputSize(w, stride, pads.Left, pads.Right);
        var expected = new float[batch * channels * oh * ow];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int r = 0; r < oh; r++)
                    for (int s = 0; s < ow; s++)
                    {
                        float a = 0f;
                        for (int i = 0; i < 3; i++)
                            for (int j = 0; j < 3; j++)
                            {
                                int row = r * stride - pads.Top + i, column = s * stride - pads.Left + j;
                                if (column < 0 || column >= w) continue;                 // a column outside: skipped
                                float v = row < 0 || row >= h ? 0f : x[((n * channels + c) * h + row) * w + column];   // a row outside: zeros
                                a = MathF.FusedMultiplyAdd(v, weights[c * 9 + i * 3 + j], a);
                            }
                        expected[((n * channels + c) * oh + r) * ow + s] = Finish(a, bias[c], 0f, act);
                    }
        var y = new float[BlockedLayout.Length(batch, channels, oh * ow, Lanes)];
        BlockedDepthwise8.Forward(Blocked(x, batch, channels, h * w), batch, channels, h, w, stride, pads,
            BlockedWeights.Depthwise(weights, channels, Lanes), BlockedWeights.Bias(bias, channels, Lanes), act, y);
        AssertBitwise(expected, Plain(y, batch, channels, oh * ow), $"depthwise {channels} {h}×{w} /{stride} pads {pads}");
    }

    public static IEnumerable<object[]> DirectCases()
    {
        int k = 0;
        foreach (int width in Enumerable.Range(1, 40))
            foreach (int stride in new[] { 1, 2 })
            {
                int bits = (k * 3 + width) % 16;
                yield return [3, new[] { 32, 8, 13 }[k % 3], 4, width, 3, stride, bits, k % 3];
                k++;
            }
        yield return [3, 32, 33, 37, 3, 2, 0b0011, 1];  // MobileNetV2's stem geometry, smaller: TensorFlow's SAME, ReLU6
        yield return [5, 40, 14, 14, 7, 2, 0b1111, 0];  // 7×7 kernel
        yield return [2, 16, 9, 30, 5, 3, 0b1111, 2];   // stride 3
    }

    [Theory]
    [MemberData(nameof(DirectCases))]
    public void Direct_sums_in_its_documented_order_bitwise(int c, int o, int h, int w, int k, int stride, int padBits, int activation)
    {
        if (!Runs) return;
        var pads = (Top: padBits >> 2 & 1, Left: padBits >> 3 & 1, Bottom: padBits & 1, Right: padBits >> 1 & 1);
        if (h + pads.Top + pads.Bottom < k || w + pads.Left + pads.Right < k) return;
        var act = Activations[activation];
        float[] image = Random(2 * c * h * w, 30 + w), weights = Random(o * c * k * k, 31), bias = Random(o, 32);
        int oh = BlockedLayout.OutputSize(h, k, stride, pads.Top, pads.Bottom), ow = BlockedLayout.OutputSize(w, k, stride, pads.Left, pads.Right);
        var expected = new float[o * oh * ow];
        for (int oc = 0; oc < o; oc++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                {
                    float a = 0f;
                    for (int ic = 0; ic < c; ic++)
                        for (int i = 0; i < k; i++)
                            for (int j = 0; j < k; j++)
                            {
                                int row = r * stride - pads.Top + i, column = s * stride - pads.Left + j;
                                float v = row < 0 || row >= h || column < 0 || column >= w ? 0f : image[c * h * w + (ic * h + row) * w + column];
                                a = MathF.FusedMultiplyAdd(v, weights[((oc * c + ic) * k + i) * k + j], a);
                            }
                    expected[(oc * oh + r) * ow + s] = Finish(a, bias[oc], 0f, act);
                }
        var y = new float[BlockedLayout.Length(1, o, oh * ow, Lanes)];
        BlockedDirect8.Forward(image, c * h * w, c, h, w, (k, k), stride, pads, o, BlockedWeights.Pointwise(weights, o, c * k * k, Lanes), BlockedWeights.Bias(bias, o, Lanes), act, y);
        AssertBitwise(expected, Plain(y, 1, o, oh * ow), $"direct {c}→{o} {h}×{w} {k}×{k} /{stride} pads {pads}");
    }

    [Fact]
    public void The_8_channel_kernels_equal_the_16_channel_ones_bitwise()
    {
        if (!Runs) return;
        const int c = 40, o = 24, h = 13, w = 11, plane = h * w, batch = 2;
        float[] x = Random(batch * c * plane, 50), pw = Random(o * c, 51), dw = Random(c * 9, 52), b = Random(o, 53), db = Random(c, 54), r = Random(batch * o * plane, 55);
        float[] Run(int lanes)
        {
            var depthwise = new float[BlockedLayout.Length(batch, c, plane, lanes)];
            var y = new float[BlockedLayout.Length(batch, o, plane, lanes)];
            var act = ConvActivation.Clamp(0f, 6f);
            if (lanes == 8)
            {
                BlockedDepthwise8.Forward(Blocked(x, batch, c, plane, 8), batch, c, h, w, 1, (1, 1, 1, 1), BlockedWeights.Depthwise(dw, c, 8), BlockedWeights.Bias(db, c, 8), act, depthwise);
                BlockedPointwise8.Forward(depthwise, batch, c, plane, o, BlockedWeights.Pointwise(pw, o, c, 8), BlockedWeights.Bias(b, o, 8), Blocked(r, batch, o, plane, 8), default, y);
            }
            else
            {
                BlockedDepthwise.Forward(Blocked(x, batch, c, plane, 16), batch, c, h, w, 1, (1, 1, 1, 1), BlockedWeights.Depthwise(dw, c), BlockedWeights.Bias(db, c), act, depthwise);
                BlockedPointwise.Forward(depthwise, batch, c, plane, o, BlockedWeights.Pointwise(pw, o, c), BlockedWeights.Bias(b, o), Blocked(r, batch, o, plane, 16), default, y);
            }
            return Plain(y, batch, o, plane, lanes);
        }
        AssertBitwise(Run(16), Run(8), "8 lanes against 16");
    }

    [Fact]
    public void Bad_arguments_are_refused_with_what_was_wrong()
    {
        var e = Assert.Throws<ArgumentException>(() => BlockedPointwise8.Forward(new float[8], 1, 8, 1, 8, new float[64], new float[8], null, ConvActivation.Leaky(0.1f), new float[8]));
        Assert.Contains("Leaky", e.Message);
        e = Assert.Throws<ArgumentException>(() => BlockedPointwise8.Forward(new float[8], 1, 8, 2, 8, new float[64], new float[8], null, default, new float[16]));
        Assert.Contains("too short", e.Message);
        e = Assert.Throws<ArgumentException>(() => BlockedDepthwise8.Forward(new float[8], 1, 8, 1, 1, 3, (1, 1, 1, 1), new float[72], new float[8], default, new float[8]));
        Assert.Contains("stride 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => BlockedLayout.ToBlocked(new float[12], 1, 3, 4, new float[32], 0, 4));
        Assert.Contains("only 16 and 8", e.Message);
        e = Assert.Throws<ArgumentException>(() => BlockedWeights.Bias(new float[3], 3, 4));
        Assert.Contains("only 16 and 8", e.Message);
    }
}
