using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.NN.Tests;

public class NormalizationLayerTests
{
    [Fact]
    public void BatchNorm2dUsesBatchStatisticsInTrainingAndRunningStatisticsInEvaluation()
    {
        var bn = new BatchNorm2d(2, momentum: 0.1f);
        bn.Weight!.CopyFrom(Tensor.FromArray([2f, 1f]));
        bn.Bias!.CopyFrom(Tensor.FromArray([0.5f, 0f]));
        var x = Tensor.Randn(new Shape(4, 2, 3, 3), 7) * 3f + 1f;
        var y = bn.Call(x).ToArray();
        var (mean0, var0) = ChannelStats(x.ToArray(), channel: 0);
        var (yMean0, yVar0) = ChannelStats(y, channel: 0);
        Assert.Equal(0.5, yMean0, 4);
        Assert.Equal(4.0, yVar0, 2);
        double unbiased0 = var0 * 36 / 35;
        Assert.Equal(0.1 * mean0, bn.RunningMean[0], 4);
        Assert.Equal(0.9 + 0.1 * unbiased0, bn.RunningVar[0], 3);
        bn.Eval();
        float x0 = x.AsReadOnlySpan()[0];
        float expected = (x0 - bn.RunningMean[0]) / MathF.Sqrt(bn.RunningVar[0] + 1e-5f) * 2f + 0.5f;
        Assert.Equal(expected, bn.Call(x).AsReadOnlySpan()[0], 4);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], bn.StateDict().Keys);
        Assert.Equal(1f, bn.NumBatchesTracked.Item());
    }

    [Fact]
    public void BatchNormRejectsWrongRankOrChannels()
    {
        Assert.Contains("rank 4", Assert.Throws<ArgumentException>(() => new BatchNorm2d(2).Call(Tensor.Zeros(2, 2))).Message);
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Call(Tensor.Zeros(2, 2))).Message);
        Assert.Equal(new Shape(5, 3, 4), new BatchNorm1d(3).Call(Tensor.Randn(new Shape(5, 3, 4), 1)).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(0));
    }

    [Fact]
    public void LayerNormNormalisesTrailingAxes()
    {
        var ln = new LayerNorm([2, 3]);
        var x = Tensor.Randn(new Shape(4, 2, 3), 3) * 5f + 2f;
        var y = ln.Call(x).ToArray();
        for (int row = 0; row < 4; row++)
        {
            var r = y.Skip(row * 6).Take(6).ToArray();
            Assert.Equal(0, r.Average(), 4);
            Assert.Equal(1, r.Select(v => v * v).Average(), 3);
        }
        Assert.Contains("end in [2, 3]", Assert.Throws<ArgumentException>(() => ln.Call(Tensor.Zeros(4, 3, 2))).Message);
        Assert.Empty(new LayerNorm(3, elementwiseAffine: false).Parameters());
    }

    [Fact]
    public void GroupNormNormalisesEachGroupAndRmsNormDividesByTheRootMeanSquare()
    {
        var gn = new GroupNorm(2, 4);
        var x = Tensor.Randn(new Shape(2, 4, 5), 4) * 2f - 1f;
        var y = gn.Call(x).ToArray();
        var group = y.Skip(10).Take(10).ToArray(); // sample 0, channels 2–3
        Assert.Equal(0, group.Average(), 4);
        Assert.Equal(1, group.Select(v => v * v).Average(), 3);
        Assert.Throws<ArgumentException>(() => new GroupNorm(3, 4));
        Assert.Contains("[N, 4", Assert.Throws<ArgumentException>(() => gn.Call(Tensor.Zeros(2, 3, 5))).Message);

        var rms = new RmsNorm(4, eps: 0f);
        rms.Weight!.CopyFrom(Tensor.FromArray([1f, 2f, 1f, 1f]));
        var r = rms.Call(Tensor.FromArray([1f, 1f, 3f, 3f])).ToArray();
        float root = MathF.Sqrt(5f);
        Assert.Equal([1 / root, 2 / root, 3 / root, 3 / root], r.Select(v => MathF.Round(v, 5)).ToArray(), (a, b) => MathF.Abs(a - MathF.Round(b, 5)) < 1e-4f);
        Assert.Throws<ArgumentException>(() => rms.Call(Tensor.Zeros(3)));
    }

    [Fact]
    public void NormalizationLayersCarryTheRoleMarker()
    {
        Assert.All(new Module[] { new BatchNorm1d(2), new BatchNorm2d(2), new LayerNorm(2), new GroupNorm(1, 2), new RmsNorm(2) },
            m => Assert.IsAssignableFrom<INormalization>(m));
    }

    private static (double Mean, double Variance) ChannelStats(float[] data, int channel)
    {
        var values = new List<double>();
        for (int n = 0; n < 4; n++)
            for (int i = 0; i < 9; i++) values.Add(data[(n * 2 + channel) * 9 + i]);
        double mean = values.Average();
        return (mean, values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }
}
