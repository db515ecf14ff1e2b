using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The blocked depthwise and stem kernels (<see cref="BlockedDepthwise"/>, <see cref="BlockedDirect"/>) bitwise
/// against scalar loops that spell out their summation order (ARCHITECTURE entry 59): each output sums its taps in
/// ascending order from zero, one fused multiply-add each, then adds the bias, then clamps with x86's max and min. The
/// depthwise kernel takes a row above or below the input as zeros and skips a column outside it; the stem takes every
/// outside tap as a zero. Widths 1–40, 7×7 planes, strides 1 and 2 with pads 0 and 1 per side, batch 3.</summary>
public class BlockedOrderTests
{
    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    private static float Finish(float sum, float bias, ConvActivation act)
    {
        float v = sum + bias;
        if (act.Kind != ConvActivationKind.Clamp) return v;
        v = act.Min > v ? act.Min : v;          // vmaxps(min, v)
        return act.Max < v ? act.Max : v;       // vminps(max, v)
    }

    private static void AssertBitwise(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
    }

    /// <summary>Depthwise in the kernel's order, blocked in and out.</summary>
    private static float[] Depthwise(float[] x, int batch, int channels, int h, int w, int stride, (int Top, int Left, int Bottom, int Right) pads,
        float[] weights, float[] bias, ConvActivation act)
    {
        int blocks = BlockedLayout.Blocks(channels), oh = BlockedDepthwise.OutputSize(h, stride, pads.Top, pads.Bottom), ow = BlockedDepthwise.OutputSize(w, stride, pads.Left, pads.Right);
        var y = new float[BlockedLayout.Length(batch, channels, oh * ow)];
        for (int n = 0; n < batch; n++)
            for (int cb = 0; cb < blocks; cb++)
                for (int r = 0; r < oh; r++)
                    for (int s = 0; s < ow; s++)
                        for (int lane = 0; lane < 16; lane++)
                        {
                            int c = cb * 16 + lane;
                            float a = 0f;
                            for (int i = 0; i < 3; i++)
                                for (int j = 0; j < 3; j++)
                                {
                                    int row = r * stride - pads.Top + i, column = s * stride - pads.Left + j;
                                    if (column < 0 || column >= w) continue;                 // a column outside: skipped
                                    float v = row < 0 || row >= h || c >= channels ? 0f : x[(((n * blocks + cb) * h + row) * w + column) * 16 + lane];
                                    a = MathF.FusedMultiplyAdd(v, c < channels ? weights[c * 9 + i * 3 + j] : 0f, a);
                                }
                            y[(((n * blocks + cb) * oh + r) * ow + s) * 16 + lane] = Finish(a, c < channels ? bias[c] : 0f, act);
                        }
        return y;
    }

    public static IEnumerable<object[]> DepthwiseCases()
    {
        int k = 0;
        foreach (int width in Enumerable.Range(1, 40))
            foreach (int stride in new[] { 1, 2 })
            {
                int bits = (k * 5 + width) % 16;                                                    // pad bits: bottom, right, top, left
                if (3 + (bits >> 2 & 1) + (bits & 1) < 3 || width + (bits >> 3 & 1) + (bits >> 1 & 1) < 3) bits |= 0b1010;
                yield return [16 + 8 * (k % 2), 3 + k % 4, width, stride, bits, k % 3];
                k++;
            }
        yield return [32, 7, 7, 1, 0b1111, 1];          // MobileNetV2's 7×7 layers
        yield return [32, 7, 7, 2, 0b0011, 1];
        yield return [16, 7, 7, 2, 0b1111, 2];
        yield return [16, 7, 7, 1, 0b0000, 0];
    }

    [Theory]
    [MemberData(nameof(DepthwiseCases))]
    public void Depthwise_sums_in_its_documented_order_bitwise(int channels, int h, int w, int stride, int padBits, int activation)
    {
        var pads = (Top: padBits >> 2 & 1, Left: padBits >> 3 & 1, Bottom: padBits & 1, Right: padBits >> 1 & 1);
        if (h + pads.Top + pads.Bottom < 3 || w + pads.Left + pads.Right < 3) return;
        const int batch = 3;
        var act = new[] { default, ConvActivation.Clamp(0f, 6f), ConvActivation.Clamp(0f, null) }[activation];
        int blocks = BlockedLayout.Blocks(channels);
        var x = Random(BlockedLayout.Length(batch, channels, h * w), 20 + w);
        for (int i = 0; i < x.Length; i++) if (i / (h * w * 16) % blocks == blocks - 1 && i % 16 >= channels - (blocks - 1) * 16) x[i] = 0f;   // zero padding lanes
        float[] weights = Random(channels * 9, 21), bias = Random(channels, 22);
        int oh = BlockedDepthwise.OutputSize(h, stride, pads.Top, pads.Bottom), ow = BlockedDepthwise.OutputSize(w, stride, pads.Left, pads.Right);
        var y = new float[BlockedLayout.Length(batch, channels, oh * ow)];
        BlockedDepthwise.Forward(x, batch, channels, h, w, stride, pads, BlockedWeights.Depthwise(weights, channels), BlockedWeights.Bias(bias, channels), act, y);
        AssertBitwise(Depthwise(x, batch, channels, h, w, stride, pads, weights, bias, act), y, $"depthwise {channels} {h}×{w} /{stride} pads {pads}");
    }

    /// <summary>A pointwise pass's items are every (image, tile, pair) once in either order: by positions while the
    /// input outweighs the weights, by output channels once the weights do (a contiguous run then holds whole pairs).</summary>
    [Theory]
    [InlineData(1, 5, 40, 320L * 1280, 320L * 49, true)]      // MobileNetV2's 320 → 1280 at 7²
    [InlineData(1, 1046, 3, 16L * 96, 16L * 12544, false)]     // its 16 → 96 at 112²
    [InlineData(3, 4, 2, 100, 100, false)]
    public void Pointwise_items_cover_every_tile_and_pair_once(int batch, int tiles, int pairs, long weights, long input, bool byChannels)
    {
        var items = new BlockedPointwise.PointwiseItems(batch, tiles, pairs, weights, input);
        Assert.Equal(byChannels, items.ByChannels);
        var hits = new int[batch, tiles, pairs];
        for (int item = 0; item < items.Count; item++)
        {
            var (n, t, pair) = items[item];
            hits[n, t, pair]++;
        }
        Assert.All(hits.Cast<int>(), h => Assert.Equal(1, h));
        Assert.Equal(byChannels ? (0, 1, 0) : (0, 0, 1), items[1]);    // the second item: the next tile, or the next pair
    }

    /// <summary>The stem in the kernel's order: NCHW in, blocked out.</summary>
    private static float[] Direct(float[] x, int channels, int h, int w, int k, int stride, (int Top, int Left, int Bottom, int Right) pads,
        int outChannels, float[] weights, float[] bias, ConvActivation act)
    {
        int oh = BlockedLayout.OutputSize(h, k, stride, pads.Top, pads.Bottom), ow = BlockedLayout.OutputSize(w, k, stride, pads.Left, pads.Right);
        var y = new float[BlockedLayout.Length(1, outChannels, oh * ow)];
        for (int o = 0; o < outChannels; o++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                {
                    float a = 0f;
                    for (int c = 0; c < channels; c++)
                        for (int i = 0; i < k; i++)
                            for (int j = 0; j < k; j++)
                            {
                                int row = r * stride - pads.Top + i, column = s * stride - pads.Left + j;
                                float v = row < 0 || row >= h || column < 0 || column >= w ? 0f : x[(c * h + row) * w + column];
                                a = MathF.FusedMultiplyAdd(v, weights[((o * channels + c) * k + i) * k + j], a);
                            }
                    y[((o / 16 * oh + r) * ow + s) * 16 + o % 16] = Finish(a, bias[o], act);
                }
        return y;
    }

    public static IEnumerable<object[]> DirectCases()
    {
        int k = 0;
        foreach (int width in Enumerable.Range(1, 40))
            foreach (int stride in new[] { 1, 2 })
            {
                int bits = (k * 3 + width) % 16;
                yield return [3, 32, 4, width, 3, stride, bits, k % 3];
                k++;
            }
        yield return [3, 32, 33, 37, 3, 2, 0b0011, 1];  // MobileNetV2's stem geometry, smaller: TensorFlow's SAME, ReLU6
        yield return [3, 32, 32, 64, 3, 2, 0b1111, 1];
        yield return [5, 40, 14, 14, 7, 2, 0b1111, 0];  // 7×7 kernel, a lone third output block
        yield return [2, 16, 9, 30, 5, 3, 0b1111, 2];   // stride 3
        yield return [1, 16, 7, 7, 1, 1, 0, 1];
    }

    [Theory]
    [MemberData(nameof(DirectCases))]
    public void Direct_sums_in_its_documented_order_bitwise(int c, int o, int h, int w, int k, int stride, int padBits, int activation)
    {
        var pads = (Top: padBits >> 2 & 1, Left: padBits >> 3 & 1, Bottom: padBits & 1, Right: padBits >> 1 & 1);
        if (h + pads.Top + pads.Bottom < k || w + pads.Left + pads.Right < k) return;
        var act = new[] { default, ConvActivation.Clamp(0f, 6f), ConvActivation.Clamp(0f, null) }[activation];
        float[] image = Random(2 * c * h * w, 30 + w), weights = Random(o * c * k * k, 31), bias = Random(o, 32);
        int oh = BlockedLayout.OutputSize(h, k, stride, pads.Top, pads.Bottom), ow = BlockedLayout.OutputSize(w, k, stride, pads.Left, pads.Right);
        var y = new float[BlockedLayout.Length(1, o, oh * ow)];
        BlockedDirect.Forward(image, c * h * w, c, h, w, (k, k), stride, pads, o, BlockedWeights.Pointwise(weights, o, c * k * k), BlockedWeights.Bias(bias, o), act, y);
        AssertBitwise(Direct(image.AsSpan(c * h * w).ToArray(), c, h, w, k, stride, pads, o, weights, bias, act), y, $"direct {c}→{o} {h}×{w} {k}×{k} /{stride} pads {pads}");
    }
}
