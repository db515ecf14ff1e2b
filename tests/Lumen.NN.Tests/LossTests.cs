using Lumen.Tensors;
using Lumen.Tensors.Tests;

namespace Lumen.NN.Tests;

public class LossTests
{
    private static readonly float[] Logits = [1f, 2f, 0.5f, -1f, 0f, 3f];

    private static double[] LogSoftmaxRow(float[] x, int row, int classes)
    {
        var r = x.Skip(row * classes).Take(classes).Select(v => (double)v).ToArray();
        double max = r.Max(), lse = max + Math.Log(r.Sum(v => Math.Exp(v - max)));
        return r.Select(v => v - lse).ToArray();
    }

    [Fact]
    public void CrossEntropyMatchesTheDefinitionForEveryReduction()
    {
        var logits = Tensor.FromArray(Logits, 2, 3);
        var targets = Tensor.FromArray(new long[] { 1, 2 });
        double l0 = -LogSoftmaxRow(Logits, 0, 3)[1], l1 = -LogSoftmaxRow(Logits, 1, 3)[2];
        Assert.Equal((l0 + l1) / 2, Loss.CrossEntropy(logits, targets).Item(), 5);
        Assert.Equal(l0 + l1, Loss.CrossEntropy(logits, targets, Reduction.Sum).Item(), 5);
        GradCheck.Close([(float)l0, (float)l1], Loss.CrossEntropy(logits, targets, Reduction.None).ToArray(), 1e-5f, 1e-5f);
    }

    [Fact]
    public void CrossEntropyWithLabelSmoothingAndIgnoredTargets()
    {
        var logits = Tensor.FromArray(Logits, 2, 3);
        var targets = Tensor.FromArray(new long[] { 0, -100 });
        var lp = LogSoftmaxRow(Logits, 0, 3);
        // q = 0.9·onehot(0) + 0.1/3; only the first row counts and the mean divides by 1.
        double expected = -(lp[0] * (0.9 + 0.1 / 3) + lp[1] * 0.1 / 3 + lp[2] * 0.1 / 3);
        Assert.Equal(expected, Loss.CrossEntropy(logits, targets, labelSmoothing: 0.1f).Item(), 5);
    }

    [Fact]
    public void CrossEntropyAcceptsProbabilityTargetsAndSpatialInputs()
    {
        var logits = Tensor.FromArray(Logits, 2, 3);
        var probs = Tensor.FromArray([0f, 1f, 0f, 0f, 0f, 1f], 2, 3);
        var hard = Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 1, 2 })).Item();
        Assert.Equal(hard, Loss.CrossEntropy(logits, probs).Item(), 5);
        // [N=1, C=3, L=2]: position l takes logits column l.
        var spatial = Tensor.FromArray([1f, -1f, 2f, 0f, 0.5f, 3f], 1, 3, 2);
        var columnTargets = Tensor.FromArray(new long[] { 1, 2 }, 1, 2);
        Assert.Equal(hard, Loss.CrossEntropy(spatial, columnTargets).Item(), 5);
    }

    [Fact]
    public void CrossEntropyGradientIsSoftmaxMinusTargetOverN()
    {
        var targets = Tensor.FromArray(new long[] { 2, 0, 1 });
        GradCheck.Assert(x => Loss.CrossEntropy(x[0], targets, labelSmoothing: 0.2f), [Tensor.Randn(new Shape(3, 5), 3)]);
        var logits = Tensor.FromArray(Logits, 2, 3).RequireGrad();
        Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 1, 2 })).Backward();
        var p0 = LogSoftmaxRow(Logits, 0, 3).Select(Math.Exp).ToArray();
        Assert.Equal((p0[1] - 1) / 2, logits.Grad![0, 1], 5);
        Assert.Equal(p0[0] / 2, logits.Grad![0, 0], 5);
    }

    [Fact]
    public void ClassLossesRejectBadTargets()
    {
        var logits = Tensor.FromArray(Logits, 2, 3);
        Assert.Contains("target 3", Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 0, 3 }))).Message);
        Assert.Contains("shape [2]", Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 0 }))).Message);
        Assert.Contains("must match", Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(logits, Tensor.Zeros(2, 4))).Message);
        Assert.Contains("[N, C", Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(Tensor.Zeros(3), Tensor.FromArray(new long[] { 0 }))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 0, 1 }), labelSmoothing: 2f));
        Assert.Contains("Int64", Assert.Throws<ArgumentException>(() => Loss.NllLoss(logits, Tensor.Zeros(2, 3))).Message);
    }

    [Fact]
    public void NllLossPicksTheTargetLogProbability()
    {
        var logp = Tensor.FromArray([-0.1f, -2f, -3f, -0.5f], 2, 2);
        Assert.Equal((0.1f + 0.5f) / 2, Loss.NllLoss(logp, Tensor.FromArray(new long[] { 0, 1 })).Item(), 6);
        Assert.Equal(0.5f, Loss.NllLoss(logp, Tensor.FromArray(new long[] { 7, 1 }), ignoreIndex: 7).Item(), 6);
        var targets = Tensor.FromArray(new long[] { 1, 0, 2 });
        GradCheck.Assert(t => Loss.NllLoss(t[0], targets, Reduction.Sum), [Tensor.Randn(new Shape(3, 4), 4)]);
    }

    [Fact]
    public void MseLossAndItsGradient()
    {
        var x = Tensor.FromArray([1f, 2f, 4f]);
        var y = Tensor.FromArray([0f, 2f, 1f]);
        Assert.Equal(10f / 3, Loss.MseLoss(x, y).Item(), 5);
        Assert.Equal(10f, Loss.MseLoss(x, y, Reduction.Sum).Item(), 5);
        GradCheck.Assert(t => Loss.MseLoss(t[0], t[1], Reduction.None), [Tensor.Randn(new Shape(2, 3), 1), Tensor.Randn(new Shape(2, 3), 2)]);
        Assert.Throws<ArgumentException>(() => Loss.MseLoss(x, Tensor.Zeros(2)));
    }

    [Fact]
    public void BinaryCrossEntropyOnProbabilitiesAndLogitsAgree()
    {
        var logits = Tensor.FromArray([-2f, 0.3f, 1.5f, 4f]);
        var target = Tensor.FromArray([0f, 1f, 0.25f, 1f]);
        var expected = logits.ToArray().Zip(target.ToArray(), (x, y) =>
        {
            double p = 1 / (1 + Math.Exp(-x));
            return -(y * Math.Log(p) + (1 - y) * Math.Log(1 - p));
        }).Average();
        Assert.Equal(expected, Loss.BceWithLogitsLoss(logits, target).Item(), 5);
        Assert.Equal(expected, Loss.BceLoss(logits.Sigmoid(), target).Item(), 4);
        GradCheck.Assert(t => Loss.BceWithLogitsLoss(t[0], target, Reduction.None), [Tensor.FromArray([-2f, 0.3f, 1.5f, 4f])]);
        GradCheck.Assert(t => Loss.BceLoss(t[0], target, Reduction.None), [Tensor.FromArray([0.2f, 0.4f, 0.7f, 0.9f])]);
        // Saturated probabilities are clamped (log ≥ −100), not infinite.
        Assert.Equal(100f, Loss.BceLoss(Tensor.FromArray([0f]), Tensor.FromArray([1f])).Item(), 3);
    }
}
