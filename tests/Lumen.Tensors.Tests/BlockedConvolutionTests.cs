using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The channel-blocked kernels (<see cref="BlockedLayout"/>, <see cref="BlockedPointwise"/>,
/// <see cref="BlockedDepthwise"/>) against the naive double-precision loops (<see cref="ConvNaive"/>) on ragged channel
/// counts and planes, with and without bias, each activation and a residual; the reorder round trip bitwise; and the
/// values independent of the batch and the thread count, bitwise.</summary>
public class BlockedConvolutionTests
{
    private static readonly int[] Channels = [3, 16, 24, 40, 160];
    private static readonly (int H, int W)[] Planes = [(1, 1), (7, 7), (13, 11), (14, 14), (56, 56)];
    private static readonly ConvActivation[] Activations = [default, ConvActivation.Clamp(0f, 6f), ConvActivation.Clamp(0f, null)];

    private static float[] Random(int length, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }

    private static float[] Blocked(float[] x, int batch, int channels, int plane)
    {
        var y = new float[BlockedLayout.Length(batch, channels, plane)];
        BlockedLayout.ToBlocked(x, batch, channels, plane, y);
        return y;
    }

    private static float[] Plain(float[] y, int batch, int channels, int plane)
    {
        var x = new float[batch * channels * plane];
        BlockedLayout.FromBlocked(y, batch, channels, plane, x);
        return x;
    }

    /// <summary>The naive convolution, then + bias, + residual, then the activation, each rounded to float as the nodes are.</summary>
    private static float[] Reference(float[] x, float[] w, float[]? bias, float[]? residual, ConvActivation act, in ConvGeometry g)
    {
        var y = new float[g.Batch * g.OutChannels * g.OutPlane];
        ConvNaive.Forward(x, w, y, g);
        for (int i = 0; i < y.Length; i++)
        {
            float v = y[i];
            if (bias is not null) v += bias[i / g.OutPlane % g.OutChannels];
            if (residual is not null) v += residual[i];
            if (act.Kind == ConvActivationKind.Clamp) v = Math.Min(Math.Max(v, act.Min), act.Max);
            y[i] = v;
        }
        return y;
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1e-3, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance * scale))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (scale {scale})");
    }

    [Fact]
    public void Reordering_round_trips_bitwise_and_pads_the_last_block_with_zeros()
    {
        var x = Random(3 * 24 * 13 * 11, 1);
        var y = Blocked(x, 3, 24, 143);
        Assert.Equal(3 * 2 * 143 * 16, y.Length);
        Assert.Equal(x[(1 * 24 + 17) * 143 + 5], y[((1 * 2 + 1) * 143 + 5) * 16 + 1]);
        Assert.Equal(0f, y[((2 * 2 + 1) * 143 + 142) * 16 + 8]);                // channel 24 of the last image: padding
        Assert.Equal(x, Plain(y, 3, 24, 143));
        foreach (var (c, plane) in new[] { (32, 37), (48, 16), (16, 200) })    // whole 16 × 16 transposes and their tails
        {
            var z = Random(2 * c * plane, c);
            var b = Blocked(z, 2, c, plane);
            for (int i = 0; i < z.Length; i++)
            {
                int n = i / (c * plane), ch = i / plane % c, p = i % plane;
                Assert.Equal(z[i], b[((n * (c / 16) + ch / 16) * plane + p) * 16 + ch % 16]);
            }
            Assert.Equal(z, Plain(b, 2, c, plane));
        }
    }

    public static IEnumerable<object[]> PointwiseCases()
    {
        int k = 0;
        foreach (int c in Channels)
            foreach (int o in Channels)
            {
                var (h, w) = Planes[k % Planes.Length];
                yield return [c, o, h, w, k % 2 == 0 ? 1 : 3, k % 3, k % 2 == 1, k % 4 == 0];
                k++;
            }
    }

    [Theory]
    [MemberData(nameof(PointwiseCases))]
    public void Pointwise_matches_the_naive_loops(int c, int o, int h, int w, int batch, int activation, bool bias, bool residual)
    {
        int plane = h * w;
        var g = new ConvGeometry(batch, c, h, w, o, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        float[] x = Random(batch * c * plane, 2), weights = Random(o * c, 3, 0.5f);
        float[]? b = bias ? Random(o, 4) : null, r = residual ? Random(batch * o * plane, 5) : null;
        var act = Activations[activation];
        var y = new float[BlockedLayout.Length(batch, o, plane)];
        BlockedPointwise.Forward(Blocked(x, batch, c, plane), batch, c, plane, o, BlockedWeights.Pointwise(weights, o, c), BlockedWeights.Bias(b, o),
            r is null ? null : Blocked(r, batch, o, plane), act, y);
        AssertClose(Reference(x, weights, b, r, act, g), Plain(y, batch, o, plane), 2e-6, $"pointwise {c}→{o} {h}×{w} ×{batch}");
        int blocks = BlockedLayout.Blocks(o);                                  // the padding lanes stay zero for the next layer
        for (int n = 0; n < batch; n++)
            for (int p = 0; p < plane; p++)
                for (int lane = o - (blocks - 1) * 16; lane < 16; lane++)
                    Assert.Equal(0f, y[(((n * blocks) + blocks - 1) * plane + p) * 16 + lane]);
    }

    public static IEnumerable<object[]> DepthwiseCases()
    {
        int k = 0;
        foreach (int c in Channels)
            foreach (var (h, w) in Planes)
                foreach (int stride in new[] { 1, 2 })
                {
                    int pads = k % 3 == 2 ? 0b0011 : k % 7 == 3 ? 0b0110 : 0b1111;     // TensorFlow's SAME at stride 2: 0 before, 1 after
                    if (h + (pads & 1) + (pads >> 2 & 1) < 3 || w + (pads >> 1 & 1) + (pads >> 3 & 1) < 3) pads = 0b1111;
                    yield return [c, h, w, stride, pads, k % 2 == 0 ? 1 : 3, k % 3, k % 2 == 0];
                    k++;
                }
    }

    [Theory]
    [MemberData(nameof(DepthwiseCases))]
    public void Depthwise_matches_the_naive_loops(int c, int h, int w, int stride, int padBits, int batch, int activation, bool bias)
    {
        // pad bits: bottom, right, top, left (1 each when set)
        var pads = (Top: padBits >> 2 & 1, Left: padBits >> 3 & 1, Bottom: padBits & 1, Right: padBits >> 1 & 1);
        var g = new ConvGeometry(batch, c, h, w, c, 3, 3, stride, stride, pads.Top, pads.Left, pads.Bottom, pads.Right, 1, 1, c);
        Assert.Equal(g.OutHeight, BlockedDepthwise.OutputSize(h, stride, pads.Top, pads.Bottom));
        Assert.Equal(g.OutWidth, BlockedDepthwise.OutputSize(w, stride, pads.Left, pads.Right));
        float[] x = Random(batch * c * h * w, 6), weights = Random(c * 9, 7);
        float[]? b = bias ? Random(c, 8) : null;
        var act = Activations[activation];
        var y = new float[BlockedLayout.Length(batch, c, g.OutPlane)];
        BlockedDepthwise.Forward(Blocked(x, batch, c, h * w), batch, c, h, w, stride, pads, BlockedWeights.Depthwise(weights, c), BlockedWeights.Bias(b, c), act, y);
        AssertClose(Reference(x, weights, b, null, act, g), Plain(y, batch, c, g.OutPlane), 1e-6, $"depthwise {c} {h}×{w} /{stride} pads {pads} ×{batch}");
    }

    [Theory]
    [InlineData(3, 32, 224, 224, 3, 2, 0b0011, 1)]      // MobileNetV2's first layer: TensorFlow's SAME at stride 2, ReLU6
    [InlineData(3, 24, 13, 11, 3, 1, 0b1111, 2)]        // a lone last block, ragged plane, ReLU
    [InlineData(5, 40, 14, 14, 7, 2, 0b1111, 0)]        // 7×7 kernel padded 1, no activation
    [InlineData(1, 16, 7, 7, 1, 1, 0, 1)]
    [InlineData(3, 32, 20, 37, 3, 1, 0b1111, 1)]       // stride 1 with whole interior tiles (one 8-column load per tap)
    public void Direct_from_nchw_matches_the_naive_loops(int c, int o, int h, int w, int k, int stride, int padBits, int activation)
    {
        var pads = (Top: padBits >> 2 & 1, Left: padBits >> 3 & 1, Bottom: padBits & 1, Right: padBits >> 1 & 1);
        var g = new ConvGeometry(1, c, h, w, o, k, k, stride, stride, pads.Top, pads.Left, pads.Bottom, pads.Right, 1, 1, 1);
        Assert.Equal(g.OutHeight, BlockedLayout.OutputSize(h, k, stride, pads.Top, pads.Bottom));
        float[] image = Random(2 * c * h * w, 13), weights = Random(o * c * k * k, 14, 0.5f), b = Random(o, 15);
        var act = Activations[activation];
        var y = new float[BlockedLayout.Length(1, o, g.OutPlane)];
        BlockedDirect.Forward(image, c * h * w, c, h, w, (k, k), stride, pads, o, BlockedWeights.Pointwise(weights, o, c * k * k), BlockedWeights.Bias(b, o), act, y);
        AssertClose(Reference(image.AsSpan(c * h * w).ToArray(), weights, b, null, act, g), Plain(y, 1, o, g.OutPlane), 2e-6, $"direct {c}→{o} {k}×{k} /{stride}");
    }

    /// <summary>Both block widths: 16 (AVX-512's kernels; here perhaps on Vector512's software fallback) and 8 (AVX2's,
    /// where the machine has AVX2 and FMA).</summary>
    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void Values_do_not_depend_on_the_batch_or_the_thread_count(int lanes)
    {
        if (lanes == 8 && BlockedLayout.MachineLanes == 0) return;
        const int c = 40, o = 24, h = 13, w = 11, plane = h * w;
        float[] x = Random(3 * c * plane, 9), pw = Random(o * c, 10), dw = Random(c * 9, 11), b = Random(o, 12);
        float[] Run(float[] input, int batch)
        {
            var blocked = new float[BlockedLayout.Length(batch, c, plane, lanes)];
            BlockedLayout.ToBlocked(input, batch, c, plane, blocked, 0, lanes);
            var depthwise = new float[blocked.Length];
            var y = new float[BlockedLayout.Length(batch, o, plane, lanes)];
            float[] dwp = BlockedWeights.Depthwise(dw, c, lanes), dwb = BlockedWeights.Bias(null, c, lanes), pwp = BlockedWeights.Pointwise(pw, o, c, lanes), pwb = BlockedWeights.Bias(b, o, lanes);
            if (lanes == 8)
            {
                BlockedDepthwise8.Forward(blocked, batch, c, h, w, 1, (1, 1, 1, 1), dwp, dwb, ConvActivation.Clamp(0, 6), depthwise);
                BlockedPointwise8.Forward(depthwise, batch, c, plane, o, pwp, pwb, null, default, y);
            }
            else
            {
                BlockedDepthwise.Forward(blocked, batch, c, h, w, 1, (1, 1, 1, 1), dwp, dwb, ConvActivation.Clamp(0, 6), depthwise);
                BlockedPointwise.Forward(depthwise, batch, c, plane, o, pwp, pwb, null, default, y);
            }
            var plain = new float[batch * o * plane];
            BlockedLayout.FromBlocked(y, batch, o, plane, plain, 0, lanes);
            return plain;
        }
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 2;
            var three = Run(x, 3);
            var alone = Run(x.AsSpan(c * plane, c * plane).ToArray(), 1);
            Assert.Equal(three.AsSpan(o * plane, o * plane).ToArray(), alone);
            Parallelism.MaxDegree = 1;
            Assert.Equal(three, Run(x, 3));
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Fact]
    public void Bad_arguments_are_refused_with_what_was_wrong()
    {
        var e = Assert.Throws<ArgumentException>(() => BlockedPointwise.Forward(new float[16], 1, 16, 1, 16, new float[256], new float[16], null, ConvActivation.Leaky(0.1f), new float[16]));
        Assert.Contains("Leaky", e.Message);
        e = Assert.Throws<ArgumentException>(() => BlockedPointwise.Forward(new float[16], 1, 16, 2, 16, new float[256], new float[16], null, default, new float[32]));
        Assert.Contains("too short", e.Message);
        e = Assert.Throws<ArgumentException>(() => BlockedDepthwise.Forward(new float[16], 1, 16, 1, 1, 3, (1, 1, 1, 1), new float[144], new float[16], default, new float[16]));
        Assert.Contains("stride 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => BlockedLayout.ToBlocked(new float[10], 1, 3, 4, new float[64]));
        Assert.Contains("NCHW array holds 10", e.Message);
    }
}
