using Lumen.NN.Layers;
using Lumen.Tensors;
using Lumen.Tensors.Tests;

namespace Lumen.NN.Tests;

public class ConvolutionLayerTests
{
    [Fact]
    public void Conv2dMatchesADirectLoopWithStridePaddingDilationAndGroups()
    {
        var conv = new Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (1, 0, 2, 1), dilation: (1, 2), groups: 2, rng: new Random(3));
        var x = Tensor.Randn(new Shape(2, 4, 7, 6), 5);
        var y = conv.Call(x);
        var expected = DirectConv(x, conv.Weight.Value, conv.Bias!.Value, conv.Stride, conv.Padding, conv.Dilation, conv.Groups);
        Assert.Equal(expected.Shape, y.Shape);
        GradCheck.Close(expected.ToArray(), y.ToArray(), 1e-4f, 1e-4f);
        Assert.Equal(new Shape(6, 2, 3, 2), conv.Weight.Shape);
        Assert.IsAssignableFrom<ILinearLike>(conv);
        float bound = 1f / MathF.Sqrt(2 * 3 * 2);
        Assert.All(conv.Weight.Value.ToArray(), w => Assert.InRange(w, -bound, bound));
    }

    [Fact]
    public void Conv2dGradientsReachInputWeightAndBias()
    {
        var conv = new Conv2d(2, 3, kernelSize: 3, padding: 1, rng: new Random(1));
        GradCheck.Assert(t => conv.Call(t[0]), [Tensor.Randn(new Shape(1, 2, 5, 4), 2)]);
        conv.Call(Tensor.Randn(new Shape(2, 2, 5, 4), 3)).Sum().Backward();
        Assert.All(conv.Bias!.Grad!.ToArray(), g => Assert.Equal(40f, g, 3));
        Assert.NotNull(conv.Weight.Grad);
    }

    [Fact]
    public void Conv2dRejectsBadConfigurations()
    {
        Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, groups: 2));
        Assert.Throws<ArgumentException>(() => new Conv2d(2, 4, 0));
        Assert.Throws<ArgumentException>(() => new Conv2d(2, 4, 3, padding: -1));
        Assert.Throws<ArgumentException>(() => new Conv2d(2, 4, 3).Call(Tensor.Zeros(1, 3, 8, 8)));
    }

    [Fact]
    public void Conv1dEqualsConv2dWithHeightOne()
    {
        var conv1 = new Conv1d(4, 2, kernelSize: 3, stride: 2, padding: 1, groups: 2, rng: new Random(6));
        var x = Tensor.Randn(new Shape(3, 4, 9), 1);
        var y = conv1.Call(x);
        var w = conv1.Weight.Value;
        var expected = DirectConv(x.Reshape(3, 4, 1, 9), w.Reshape(2, 2, 1, 3), conv1.Bias!.Value, (1, 2), (0, 1, 0, 1), (1, 1), 2);
        Assert.Equal(new Shape(3, 2, 5), y.Shape);
        GradCheck.Close(expected.ToArray(), y.ToArray(), 1e-4f, 1e-4f);
        Assert.Throws<ArgumentException>(() => new Conv1d(3, 2, 3, groups: 2));
    }

    [Fact]
    public void ConvTranspose2dIsTheAdjointOfConv2d()
    {
        // ⟨convT(x), y⟩ = ⟨x, conv(y)⟩ for the same weight, stride, padding and groups (no bias).
        var up = new ConvTranspose2d(4, 6, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false, rng: new Random(8));
        var x = Tensor.Randn(new Shape(2, 4, 3, 4), 2);
        var upsampled = up.Call(x);
        Assert.Equal(new Shape(2, 6, 6, 8), upsampled.Shape);
        var y = Tensor.Randn(upsampled.Shape, 3);
        var conv = DirectConv(y, up.Weight.Value, Tensor.Zeros(4), (2, 2), (1, 1, 1, 1), (1, 1), 2);
        float left = (upsampled * y).Sum().Item(), right = (x * conv).Sum().Item();
        Assert.Equal(left, right, 2);
        Assert.Equal(new Shape(4, 3, 3, 3), up.Weight.Shape);
        Assert.Throws<ArgumentException>(() => new ConvTranspose2d(4, 6, 3, stride: 2, outputPadding: 2));
    }

    [Fact]
    public void PoolingLayers()
    {
        var x = Tensor.Arange(16).Reshape(1, 1, 4, 4);
        Assert.Equal([5f, 7f, 13f, 15f], new MaxPool2d(2).Call(x).ToArray());
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f], new AvgPool2d(2).Call(x).ToArray());
        Assert.Equal(new Shape(1, 1, 2, 2), new MaxPool2d(3, stride: 2, padding: 1).Call(x).Shape);
        Assert.Equal([7.5f], new AdaptiveAvgPool2d(1).Call(x).ToArray());
        Assert.Equal(new Shape(1, 1, 3, 2), new AdaptiveAvgPool2d(3, 2).Call(x).Shape);
        Assert.Throws<ArgumentException>(() => new MaxPool2d(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveAvgPool2d(0));
        Assert.IsAssignableFrom<IPooling>(new AvgPool2d(2));
    }

    [Fact]
    public void EmbeddingGathersRowsAndScattersGradients()
    {
        var embedding = new Embedding(5, 3, new Random(2));
        var ids = Tensor.FromArray(new long[] { 4, 0, 4 }, 1, 3);
        var y = embedding.Call(ids);
        Assert.Equal(new Shape(1, 3, 3), y.Shape);
        Assert.Equal(embedding.Weight.Value[4, 1], y[0, 0, 1]);
        y.Sum().Backward();
        Assert.Equal([1f, 1f, 1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 2f, 2f, 2f], embedding.Weight.Grad!.ToArray());
        Assert.Contains("Int64", Assert.Throws<ArgumentException>(() => embedding.Call(Tensor.Zeros(2))).Message);
    }

    /// <summary>Cross-correlation by definition, as the oracle.</summary>
    private static Tensor DirectConv(Tensor x, Tensor w, Tensor b, (int H, int W) s, (int Top, int Left, int Bottom, int Right) p, (int H, int W) d, int groups)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3], o = w.Shape[0], kh = w.Shape[2], kw = w.Shape[3];
        int oh = (h + p.Top + p.Bottom - d.H * (kh - 1) - 1) / s.H + 1, ow = (wd + p.Left + p.Right - d.W * (kw - 1) - 1) / s.W + 1;
        int cg = c / groups, og = o / groups;
        var y = new float[n * o * oh * ow];
        for (int b0 = 0; b0 < n; b0++)
            for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double sum = b[oc];
                        int g = oc / og;
                        for (int ic = 0; ic < cg; ic++)
                            for (int u = 0; u < kh; u++)
                                for (int v = 0; v < kw; v++)
                                {
                                    int row = i * s.H - p.Top + u * d.H, col = j * s.W - p.Left + v * d.W;
                                    if (row < 0 || row >= h || col < 0 || col >= wd) continue;
                                    sum += x[b0, g * cg + ic, row, col] * w[oc, ic, u, v];
                                }
                        y[((b0 * o + oc) * oh + i) * ow + j] = (float)sum;
                    }
        return Tensor.FromArray(y, n, o, oh, ow);
    }
}
