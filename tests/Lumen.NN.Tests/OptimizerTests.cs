using Lumen.NN.Optim;
using Lumen.Tensors;

using Lumen.Tensors.Tests;

namespace Lumen.NN.Tests;

public class OptimizerTests
{
    private static Parameter WithGrad(float[] value, float[] grad) =>
        new(Tensor.FromArray(value), "p") { Grad = Tensor.FromArray(grad) };

    [Fact]
    public void PlainSgdStepsAgainstTheGradient()
    {
        var p = WithGrad([1f, -2f], [0.5f, 1f]);
        new Sgd([p], learningRate: 0.1f).Step();
        GradCheckClose([0.95f, -2.1f], p);
    }

    [Fact]
    public void SgdMomentumWeightDecayAndNesterovMatchHandComputedSteps()
    {
        // wd 0.1, μ 0.9: step 1: g = 1 + 0.1·1 = 1.1, b = 1.1, p = 1 − 0.1·1.1 = 0.89
        // step 2 (grad 1): g = 1 + 0.089 = 1.089, b = 0.9·1.1 + 1.089 = 2.079, p = 0.89 − 0.2079 = 0.6821
        var p = WithGrad([1f], [1f]);
        var sgd = new Sgd([p], 0.1f, momentum: 0.9f, weightDecay: 0.1f);
        sgd.Step();
        GradCheckClose([0.89f], p);
        sgd.Step();
        GradCheckClose([0.6821f], p);
        // Nesterov: step 1: b = 1, g = 1 + 0.9 = 1.9, p = 1 − 0.19 = 0.81; step 2: b = 1.9, g = 1 + 1.71 = 2.71, p = 0.539
        var q = WithGrad([1f], [1f]);
        var nesterov = new Sgd([q], 0.1f, momentum: 0.9f, nesterov: true);
        nesterov.Step();
        GradCheckClose([0.81f], q);
        nesterov.Step();
        GradCheckClose([0.539f], q);
        // Dampening 0.5: step 2: b = 0.9·1 + 0.5·1 = 1.4 → p = 0.9 − 0.14 = 0.76
        var d = WithGrad([1f], [1f]);
        var damped = new Sgd([d], 0.1f, momentum: 0.9f, dampening: 0.5f);
        damped.Step();
        damped.Step();
        GradCheckClose([0.76f], d);
    }

    [Fact]
    public void AdamWMatchesHandComputedSteps()
    {
        // lr 0.1, wd 0.1, β (0.9, 0.999), ε 1e-8, grad 2 then −1.
        // t1: p = 1·0.99 = 0.99; m = 0.2, v = 0.004; m̂ = 2, v̂ = 4 → p = 0.99 − 0.1·2/2 = 0.89
        // t2: p = 0.89·0.99 = 0.8811; m = 0.18 − 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996
        //     m̂ = 0.08/0.19 = 0.421053, v̂ = 0.004996/0.001999 = 2.499250 → √ = 1.580902; p = 0.8811 − 0.1·0.266337 = 0.854466
        var p = WithGrad([1f], [2f]);
        var adam = new AdamW([p], learningRate: 0.1f, weightDecay: 0.1f);
        adam.Step();
        GradCheckClose([0.89f], p);
        p.Grad = Tensor.FromArray([-1f]);
        adam.Step();
        GradCheckClose([0.854466f], p);
        Assert.Equal(2, adam.StepCount);
    }

    [Fact]
    public void ParametersWithoutGradientsAreSkippedAndZeroGradClears()
    {
        var a = WithGrad([1f], [1f]);
        var b = new Parameter(Tensor.FromArray([5f]));
        var sgd = new Sgd([a, b, a], 1f);
        Assert.Equal(2, sgd.Parameters.Count);
        sgd.Step();
        Assert.Equal(0f, a.Value[0]);
        Assert.Equal(5f, b.Value[0]);
        sgd.ZeroGrad();
        Assert.Null(a.Grad);
    }

    [Fact]
    public void BadHyperParametersThrow()
    {
        var p = WithGrad([1f], [1f]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], 0.1f, momentum: -0.5f));
        Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1f, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([p], beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([p], weightDecay: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByNorm([p], 0f));
    }

    [Fact]
    public void ClipByNormScalesAllGradientsTogether()
    {
        var a = WithGrad([0f, 0f], [3f, 0f]);
        var b = WithGrad([0f], [4f]);
        float norm = GradientClipping.ClipByNorm([a, b], 1f);
        Assert.Equal(5f, norm, 5);
        GradCheck.Close([0.6f, 0f], a.Grad!.ToArray(), 1e-5f, 1e-5f);
        GradCheck.Close([0.8f], b.Grad!.ToArray(), 1e-5f, 1e-5f);
        Assert.Equal(1f, GradientClipping.ClipByNorm([a, b], 10f), 4);
        GradCheck.Close([0.8f], b.Grad!.ToArray(), 1e-5f, 1e-5f);
    }

    private static void GradCheckClose(float[] expected, Parameter p) => GradCheck.Close(expected, p.Value.ToArray(), 1e-6f, 1e-5f);
}
