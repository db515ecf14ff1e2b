using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The two-rows-to-a-vector 3×3 depthwise forward kernel (<see cref="DepthwiseConv3x3RowPairs"/>) against the row
/// kernels it stands in for, bitwise with every epilogue (ties reported alike), on every input width it takes (1–15),
/// odd and even output heights, symmetric, asymmetric and missing padding, both strides, batch 1 and 3.</summary>
public class DepthwiseConv3x3RowPairsTests
{
    private static IEnumerable<ConvGeometry> Geometries()
    {
        foreach (int stride in new[] { 1, 2 })
            foreach (int batch in new[] { 1, 3 })
                foreach (int width in Enumerable.Range(1, 16))
                    foreach (var (h, top, left, bottom, right) in new[] { (7, 1, 1, 1, 1), (14, 1, 1, 1, 1), (6, 0, 0, 0, 0), (5, 2, 0, 1, 2), (1, 1, 1, 1, 1), (9, 0, 1, 1, 0) })
                    {
                        var g = new ConvGeometry(batch, 5, h, width, 5, 3, 3, stride, stride, top, left, bottom, right, 1, 1, 5);
                        if (g.OutHeight >= 1 && g.OutWidth >= 1) yield return g;
                    }
    }

    [Fact]
    public void Forward_equals_the_row_kernels_bitwise_with_every_epilogue()
    {
        int cases = 0, declined = 0;
        foreach (var g in Geometries())
        {
            if (!DepthwiseConv3x3.Applies(g)) return;                      // no AVX-512 here
            if (!DepthwiseConv3x3RowPairs.Applies(g))
            {
                Assert.True(g.OutWidth > 8 || g.InWidth > 15, $"{g}: declined");
                declined++;
                continue;
            }
            var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), cases).ToArray();
            for (int p = 0; p < g.Batch * g.InChannels; p += 3) Array.Clear(x, p * g.InPlane, g.InPlane);   // ties with 0
            x[0] = float.NaN;
            var w = Tensor.Randn(new Shape(g.InChannels, 1, 3, 3), cases + 1).ToArray();
            var bias = Tensor.Randn(new Shape(g.InChannels), cases + 2).ToArray();
            var rowTies = new ClampTies(g.InChannels);
            var pairTies = new ClampTies(g.InChannels);
            ConvEpilogue[] Epilogues(ClampTies ties) =>
            [
                new(null), new(bias), new(bias, ConvActivation.Clamp(0f, 6f)), new(null, ConvActivation.Clamp(-0.5f, 0.5f)),
                new(bias, ConvActivation.Leaky(0.1f)), new(null, ConvActivation.Clamp(0f, 6f), ties),
            ];
            var rowEpilogues = Epilogues(rowTies);
            var pairEpilogues = Epilogues(pairTies);
            for (int e = 0; e < rowEpilogues.Length; e++)
            {
                var expected = new float[g.Batch * g.InChannels * g.OutPlane];
                var actual = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                DepthwiseConv3x3.Forward(x, w, expected, g, rowEpilogues[e], 0, g.Batch * g.InChannels);
                DepthwiseConv3x3RowPairs.Forward(x, w, actual, g, pairEpilogues[e], 0, g.Batch * g.InChannels);
                DepthwiseConv3x3ChannelsLastTests.AssertBitwise(expected, actual, $"{g}, epilogue {e}");
            }
            Assert.Equal(rowTies.Channels(), pairTies.Channels());
            cases++;
        }
        Assert.True(cases > 100 && declined > 0, $"{cases} geometries run, {declined} declined");
    }
}
