using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The channels-last 3×3 depthwise kernel (<see cref="DepthwiseConv3x3ChannelsLast"/>) against the row kernels
/// it stands in for (bitwise: same summation order; the weight gradient to rounding) and the naive loops, on ragged channel counts (blocks of 16),
/// MobileNet's 7×7 and 14×14 planes, non-square ones, odd and even stride-2 inputs, every epilogue, batch 1 and 3.</summary>
public class DepthwiseConv3x3ChannelsLastTests
{
    private static readonly int[] Channels = [1, 15, 17, 40];

    // (height, width, padding top, left, bottom, right)
    private static readonly (int H, int W, int Top, int Left, int Bottom, int Right)[] Planes =
        [(7, 7, 1, 1, 1, 1), (14, 14, 1, 1, 1, 1), (5, 9, 1, 1, 1, 1), (9, 5, 1, 1, 1, 1), (8, 8, 1, 1, 1, 1), (13, 13, 1, 1, 1, 1),
         (7, 7, 0, 0, 0, 0), (6, 9, 2, 0, 1, 2), (1, 1, 1, 1, 1, 1)];

    public static IEnumerable<object[]> Strides() => new[] { 1, 2 }.Select(s => new object[] { s });

    private static IEnumerable<ConvGeometry> Geometries(int stride)
    {
        foreach (int batch in new[] { 1, 3 })
            foreach (int c in Channels)
                foreach (var (h, w, top, left, bottom, right) in Planes)
                {
                    var g = new ConvGeometry(batch, c, h, w, c, 3, 3, stride, stride, top, left, bottom, right, 1, 1, c);
                    if (g.OutHeight >= 1 && g.OutWidth >= 1) yield return g;
                }
    }

    private static ConvEpilogue[] Epilogues(int channels, ClampTies ties)
    {
        var bias = Tensor.Randn(new Shape(channels), 9).ToArray();
        return
        [
            new(null), new(bias), new(bias, ConvActivation.Clamp(0f, 6f)), new(null, ConvActivation.Clamp(-0.5f, 0.5f)),
            new(bias, ConvActivation.Leaky(0.1f)), new(null, ConvActivation.Clamp(0f, 6f), ties),
        ];
    }

    [Theory]
    [MemberData(nameof(Strides))]
    public void Forward_equals_the_row_kernels_bitwise_with_every_epilogue(int stride)
    {
        int cases = 0;
        foreach (var g in Geometries(stride))
        {
            if (!DepthwiseConv3x3.Applies(g)) return;                      // no AVX-512 here: the general paths are tested elsewhere
            var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), cases).ToArray();
            for (int p = 0; p < g.Batch * g.InChannels; p += 3)             // planes of zeros: outputs that tie with 0
                Array.Clear(x, p * g.InPlane, g.InPlane);
            var w = Tensor.Randn(new Shape(g.InChannels, 1, 3, 3), cases + 1).ToArray();
            var rowTies = new ClampTies(g.InChannels);
            var blockTies = new ClampTies(g.InChannels);
            var rowEpilogues = Epilogues(g.InChannels, rowTies);
            var blockEpilogues = Epilogues(g.InChannels, blockTies);
            for (int e = 0; e < rowEpilogues.Length; e++)
            {
                var expected = new float[g.Batch * g.InChannels * g.OutPlane];
                var actual = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                DepthwiseConv3x3.Forward(x, w, expected, g, rowEpilogues[e], 0, g.Batch * g.InChannels);
                DepthwiseConv3x3ChannelsLast.Forward(x, DepthwiseConv3x3ChannelsLast.ArrangeWeights(w, g.InChannels), actual, g, blockEpilogues[e], 0, DepthwiseConv3x3ChannelsLast.Blocks(g));
                AssertBitwise(expected, actual, $"{g}, epilogue {e}");
            }
            Assert.True(blockTies.Seen, $"{g}: no tie seen");
            Assert.Equal(rowTies.Channels(), blockTies.Channels());
            cases++;
        }
        Assert.Equal(Geometries(stride).Count(), cases);
    }

    [Fact]
    public void Stride2_input_gradient_equals_the_row_kernel_bitwise()
    {
        foreach (var g in Geometries(2))
        {
            if (!DepthwiseConv3x3.Applies(g)) return;
            var dy = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.OutHeight, g.OutWidth), 3).ToArray();
            var w = Tensor.Randn(new Shape(g.InChannels, 1, 3, 3), 4).ToArray();
            var expected = new float[g.Batch * g.InChannels * g.InPlane];
            var actual = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
            DepthwiseConv3x3Stride2.InputGradient(dy, w, expected, g, 0, g.Batch * g.InChannels);
            DepthwiseConv3x3ChannelsLast.InputGradient(dy, DepthwiseConv3x3ChannelsLast.ArrangeWeights(w, g.InChannels), actual, g, 0, DepthwiseConv3x3ChannelsLast.Blocks(g));
            AssertBitwise(expected, actual, g.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Strides))]
    public void Depthwise_convolution_on_narrow_planes_matches_the_naive_loops(int stride)
    {
        // through ConvDepthwise, which picks this kernel for these widths (the stride-1 input gradient is its forward
        // pass with the kernel flipped); the weight gradient sums over the three images
        foreach (var (h, w) in new[] { (7, 7), (14, 14), (13, 13), (5, 9) })
        {
            var g = new ConvGeometry(3, 40, h, w, 40, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1, 40);
            DepthwiseConv3x3Tests.MatchesNaiveLoops(g, 5);
        }
    }

    [Fact]
    public void Weight_gradient_of_a_plane_of_ones_counts_the_outputs_each_tap_reaches()
    {
        // x = 1, dy = 1 on a 3×3 plane with padding 1, two images: dw[i, j] = 2 × (outputs whose tap (i, j) lands
        // inside) = 2 × 4 at the corners, 2 × 6 on the edges, 2 × 9 in the centre; channel 1 (dy = 2) twice that
        var g = new ConvGeometry(2, 2, 3, 3, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2);
        if (!DepthwiseConv3x3.Applies(g)) return;
        var x = Enumerable.Repeat(1f, 36).ToArray();
        var dy = Enumerable.Range(0, 36).Select(i => i / 9 % 2 == 0 ? 1f : 2f).ToArray();
        var dw = new float[18];
        DepthwiseConv3x3ChannelsLast.WeightGradient(dy, x, dw, g, 0, 1);
        Assert.Equal([8f, 12f, 8f, 12f, 18f, 12f, 8f, 12f, 8f], dw[..9]);
        Assert.Equal(dw[..9].Select(v => 2 * v).ToArray(), dw[9..]);
    }

    [Fact]
    public void A_plane_of_ones_sums_the_taps_inside()
    {
        // 3×3 ones, padding 1, weights 1…9: the centre sums all taps (45), a corner the four inside (5 + 6 + 8 + 9),
        // an edge six (4 + 5 + 6 + 7 + 8 + 9); channel 1 (weights ×2) doubles them
        var g = new ConvGeometry(1, 2, 3, 3, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2);
        if (!DepthwiseConv3x3.Applies(g)) return;
        var x = Enumerable.Repeat(1f, 18).ToArray();
        var w = Enumerable.Range(1, 9).Select(v => (float)v).Concat(Enumerable.Range(1, 9).Select(v => 2f * v)).ToArray();
        var y = new float[18];
        DepthwiseConv3x3ChannelsLast.Forward(x, DepthwiseConv3x3ChannelsLast.ArrangeWeights(w, 2), y, g, new ConvEpilogue(null), 0, 1);
        Assert.Equal([28f, 39f, 24f, 33f, 45f, 27f, 16f, 21f, 12f], y[..9]);
        Assert.Equal(y[..9].Select(v => 2 * v).ToArray(), y[9..]);
    }

    [Theory]
    [MemberData(nameof(Strides))]
    public void Kernels_read_and_write_nothing_past_the_last_plane(int stride)
    {
        // 17 channels (a block of 1 after a full one) and planes whose last chunk is ragged: NaN after the last input
        // plane would reach an output through any read past it; a NaN after the last output plane must stay
        const int Guard = 64;
        foreach (var (h, w) in new[] { (7, 7), (13, 13), (5, 9) })
        {
            var g = new ConvGeometry(2, 17, h, w, 17, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1, 17);
            if (!DepthwiseConv3x3.Applies(g)) return;
            int inLength = 2 * 17 * g.InPlane, outLength = 2 * 17 * g.OutPlane;
            var x = Tensor.Randn(new Shape(inLength), 1).ToArray().Concat(Enumerable.Repeat(float.NaN, Guard)).ToArray();
            var arranged = DepthwiseConv3x3ChannelsLast.ArrangeWeights(Tensor.Randn(new Shape(17, 1, 3, 3), 2).ToArray(), 17);
            var y = Enumerable.Repeat(float.NaN, outLength + Guard).ToArray();
            DepthwiseConv3x3ChannelsLast.Forward(x, arranged, y, g, new ConvEpilogue(null), 0, DepthwiseConv3x3ChannelsLast.Blocks(g));
            Assert.All(y[..outLength], v => Assert.False(float.IsNaN(v), $"{g}: an output read past the input"));
            Assert.All(y[outLength..], v => Assert.True(float.IsNaN(v), $"{g}: a store past the output"));
            if (stride == 1) continue;
            var dy = Tensor.Randn(new Shape(outLength), 3).ToArray().Concat(Enumerable.Repeat(float.NaN, Guard)).ToArray();
            var dx = Enumerable.Repeat(float.NaN, inLength + Guard).ToArray();
            DepthwiseConv3x3ChannelsLast.InputGradient(dy, arranged, dx, g, 0, DepthwiseConv3x3ChannelsLast.Blocks(g));
            Assert.All(dx[..inLength], v => Assert.False(float.IsNaN(v), $"{g}: a gradient read past dy"));
            Assert.All(dx[inLength..], v => Assert.True(float.IsNaN(v), $"{g}: a gradient store past dx"));
        }
    }

    internal static void AssertBitwise(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, element {i}: {actual[i]} instead of {expected[i]}");
    }
}
