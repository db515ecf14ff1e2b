using System.Runtime.InteropServices;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The kernels of a blocked chain's backward pass (OnnxGraph.BlockedGradient.cs), for blocks of 16 and of 8
/// channels: the depthwise input gradient (<see cref="BlockedDepthwiseAdjoint"/>) against the naive double loops, the
/// clamp's gradient mask kept as bits by a forward store (<see cref="BlockedOperand.Keep"/>, exact on ties, the value
/// stored unchanged) and applied by a backward store (<see cref="BlockedOperand.Mask"/>) or a pass of its own
/// (<see cref="BlockedActivation.MaskGradient"/>), and the packing of transposed and flipped weights.</summary>
public class BlockedGradientKernelTests
{
    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    private static float[] Blocked(float[] x, int batch, int channels, int plane, int lanes)
    {
        var y = new float[BlockedLayout.Length(batch, channels, plane, lanes)];
        BlockedLayout.ToBlocked(x, batch, channels, plane, y, 0, lanes);
        return y;
    }

    private static float[] Plain(float[] y, int batch, int channels, int plane, int lanes)
    {
        var x = new float[batch * channels * plane];
        BlockedLayout.FromBlocked(y, batch, channels, plane, x, 0, lanes);
        return x;
    }

    public static IEnumerable<object[]> AdjointCases()
    {
        foreach (int lanes in new[] { 16, 8 })
            foreach (var (stride, pads) in new[] { (1, (1, 1, 1, 1)), (2, (0, 0, 1, 1)), (2, (1, 1, 1, 1)), (2, (0, 0, 0, 0)), (2, (1, 0, 0, 1)) })
                foreach (var (h, w) in new[] { (3, 3), (4, 7), (7, 4), (8, 8), (13, 11), (14, 14), (1, 9) })
                    foreach (int c in new[] { 16, 20, 40 })
                        yield return [lanes, stride, pads.Item1, pads.Item2, pads.Item3, pads.Item4, h, w, c];
    }

    [Theory]
    [MemberData(nameof(AdjointCases))]
    public void The_depthwise_input_gradient_matches_the_naive_loops(int lanes, int stride, int top, int left, int bottom, int right, int h, int w, int c)
    {
        var pads = (top, left, bottom, right);
        if (!BlockedDepthwiseAdjoint.Supports(h, w, stride, pads)) return;     // e.g. a 1-row input without pads
        const int batch = 2;
        var g = new ConvGeometry(batch, c, h, w, c, 3, 3, stride, stride, top, left, bottom, right, 1, 1, c);
        float[] weights = Random(c * 9, 1), dy = Random(batch * c * g.OutPlane, 2);
        var expected = new float[batch * c * h * w];
        ConvNaive.BackwardInput(dy, weights, expected, g);
        var dx = new float[BlockedLayout.Length(batch, c, h * w, lanes)];
        BlockedDepthwiseAdjoint.InputGradient(Blocked(dy, batch, c, g.OutPlane, lanes), batch, c, h, w, stride, pads, weights, dx, lanes);
        var actual = Plain(dx, batch, c, h * w, lanes);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, $"dx[{i}] = {actual[i]}, expected {expected[i]} (stride {stride}, pads {pads}, {h}×{w}, {c} channels, {lanes} lanes)");

        // with mask bits: the same values, zero where a bit is clear
        var words = new float[BlockedEpilogue.BitFloats(dx.Length)];
        var bits = MemoryMarshal.AsBytes(words.AsSpan()).ToArray();
        new Random(3).NextBytes(bits);
        bits.CopyTo(MemoryMarshal.AsBytes(words.AsSpan()));
        var masked = new float[dx.Length];
        BlockedDepthwiseAdjoint.InputGradient(Blocked(dy, batch, c, g.OutPlane, lanes), batch, c, h, w, stride, pads, weights, masked, lanes, words);
        for (int i = 0; i < dx.Length; i++)
            Assert.Equal((bits[i / 8] >> (i % 8) & 1) == 1 ? dx[i] : 0f, masked[i]);
    }

    [Fact]
    public void The_stride_one_adjoint_needs_pads_of_one()
    {
        Assert.True(BlockedDepthwiseAdjoint.Supports(5, 5, 1, (1, 1, 1, 1)));
        Assert.False(BlockedDepthwiseAdjoint.Supports(5, 5, 1, (0, 0, 0, 0)));   // its adjoint pads 2
        Assert.True(BlockedDepthwiseAdjoint.Supports(5, 5, 2, (0, 0, 0, 0)));
        var e = Assert.Throws<ArgumentException>(() => BlockedDepthwiseAdjoint.InputGradient(new float[400], 1, 16, 5, 5, 1, (0, 0, 0, 0), new float[144], new float[400], 16));
        Assert.Contains("stride 1", e.Message);
    }

    [Theory]
    [InlineData(16, false)]
    [InlineData(16, true)]
    [InlineData(8, false)]
    [InlineData(8, true)]
    public void A_kept_mask_is_the_clamps_gradient_on_u_and_leaves_the_values_unchanged(int lanes, bool depthwise)
    {
        const int batch = 2, c = 24, h = 5, w = 7, plane = h * w;
        var clamp = ConvActivation.Clamp(0f, 6f);
        var x = Blocked(Random(batch * c * plane, 4), batch, c, plane, lanes);
        float[] weights = Random(c * (depthwise ? 9 : c), 5), zero = BlockedWeights.Bias(null, c, lanes);
        Array.Clear(weights, 0, depthwise ? 9 : c);          // output channel 0's u is 0 everywhere: ties with the bound 0
        var packed = depthwise ? BlockedWeights.Depthwise(weights, c, lanes) : BlockedWeights.Pointwise(weights, c, c, lanes);
        int length = BlockedLayout.Length(batch, c, plane, lanes);
        void Run(ConvActivation act, float[] y, float[]? bits, BlockedOperand use, float lo, float hi)
        {
            if (depthwise && lanes == 8) BlockedDepthwise8.Forward(x, batch, c, h, w, 1, (1, 1, 1, 1), packed, zero, act, y, bits, use, lo, hi);
            else if (depthwise) BlockedDepthwise.Forward(x, batch, c, h, w, 1, (1, 1, 1, 1), packed, zero, act, y, bits, use, lo, hi);
            else if (lanes == 8) BlockedPointwise8.Forward(x, batch, c, plane, c, packed, zero, null, act, y, bits, use, lo, hi);
            else BlockedPointwise.Forward(x, batch, c, plane, c, packed, zero, null, act, y, bits, use, lo, hi);
        }
        float[] u = new float[length], plain = new float[length], kept = new float[length];
        Run(default, u, null, BlockedOperand.None, 0f, 0f);
        Run(clamp, plain, null, BlockedOperand.None, 0f, 0f);
        foreach (var (lo, hi) in new[] { (0f, 6f), (float.Epsilon, float.PositiveInfinity) })   // a Clip's rule, a Relu's
        {
            var words = new float[BlockedEpilogue.BitFloats(length)];
            Run(clamp, kept, words, BlockedOperand.Keep, lo, hi);
            var bits = MemoryMarshal.AsBytes(words.AsSpan()).ToArray();
            Assert.Equal(plain, kept);
            int ties = 0;
            for (int i = 0; i < length; i++)
            {
                bool inside = u[i] >= lo && u[i] <= hi;
                if (u[i] == 0f) ties++;
                Assert.True(inside == ((bits[i / 8] >> (i % 8) & 1) == 1), $"value {i}: u = {u[i]}, bounds [{lo}, {hi}]");
            }
            Assert.True(ties >= batch * plane, $"only {ties} exact ties");

            // the mask applied by a store, and by a pass of its own
            var masked = new float[length];
            Run(default, masked, words, BlockedOperand.Mask, 0f, 0f);
            var pass = (float[])u.Clone();
            BlockedActivation.MaskGradient(pass, words, length);
            for (int i = 0; i < length; i++)
            {
                float expected = (bits[i / 8] >> (i % 8) & 1) == 1 ? u[i] : 0f;
                Assert.Equal(expected, masked[i]);
                Assert.Equal(expected, pass[i]);
            }
        }
    }

    [Fact]
    public void Mask_and_sum_passes_refuse_arrays_too_short_for_their_length()
    {
        var e = Assert.Throws<ArgumentException>(() => BlockedActivation.MaskGradient(new float[64], new float[1], 64));
        Assert.Contains("floats of bits", e.Message);
        Assert.Throws<ArgumentException>(() => BlockedActivation.MaskGradient(new float[64], new float[2], 60));   // not a multiple of 8
        e = Assert.Throws<ArgumentException>(() => BlockedActivation.Add(new float[8], new float[4], 8));
        Assert.Contains("BlockedActivation.Add", e.Message);
    }

    [Fact]
    public void A_pointwise_kernel_takes_a_residual_or_mask_bits_not_both()
    {
        var e = Assert.Throws<ArgumentException>(() => BlockedPointwise.Forward(new float[256], 1, 16, 16, 16, new float[256], new float[16], new float[256], default, new float[256], new float[8], BlockedOperand.Mask));
        Assert.Contains("not both", e.Message);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void Transposed_and_flipped_weights_are_packed_as_the_adjoint_reads_them(int lanes)
    {
        const int o = 20, c = 12;
        var w = Random(o * c, 6);
        var transposed = new float[c * o];
        for (int i = 0; i < o; i++) for (int j = 0; j < c; j++) transposed[j * o + i] = w[i * c + j];
        Assert.Equal(BlockedWeights.Pointwise(transposed, c, o, lanes), BlockedWeights.PointwiseTransposed(w, o, c, lanes));
        var d = Random(o * 9, 7);
        var flipped = new float[o * 9];
        for (int ch = 0; ch < o; ch++) for (int t = 0; t < 9; t++) flipped[ch * 9 + t] = d[ch * 9 + 8 - t];
        Assert.Equal(BlockedWeights.Depthwise(flipped, o, lanes), BlockedWeights.DepthwiseFlipped(d, o, lanes));
    }
}
