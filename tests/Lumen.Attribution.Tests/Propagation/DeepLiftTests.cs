using Lumen.Attribution.Common;
using Lumen.Attribution.Propagation;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Propagation;

public sealed class DeepLiftTests
{
    /// <summary>Captum's ReLUDeepLiftModel: f(x) = 2·ReLU(x₁) + 2·ReLU(x₂ − 1.5).</summary>
    private static Sequential ReluDeepLiftModel()
    {
        var first = new Linear(2, 2);
        first.Weight.Value.AsSpan().Clear();
        first.Weight.Value.AsSpan()[0] = 1f;
        first.Weight.Value.AsSpan()[3] = 1f;
        first.Bias!.Value.AsSpan()[0] = 0f;
        first.Bias!.Value.AsSpan()[1] = -1.5f;
        var second = new Linear(2, 1, bias: false);
        second.Weight.Value.AsSpan().Fill(2f);
        return new Sequential(first, new Relu(), second);
    }

    [Fact]
    public void ReluModel_GivesCaptumValues_WithZeroDelta()
    {
        var result = new DeepLift(ReluDeepLiftModel()).Explain(Tensor.FromArray([1f, 2f], 1, 2), Target.Class(0));
        GradAssert.Close([2f, 1f], result.Map.ToArray(), 1e-6f);
        Assert.Equal(0f, result.Delta!.ToArray()[0], 6);
    }

    [Fact]
    public void ReluModel_WithoutMultiplyingByInputs_GivesMultipliers()
    {
        var result = new DeepLift(ReluDeepLiftModel(), new() { MultiplyByInputs = false }).Explain(Tensor.FromArray([1f, 2f], 1, 2), Target.Class(0));
        GradAssert.Close([2f, 0.5f], result.Map.ToArray(), 1e-6f);
        Assert.Null(result.Delta);
    }

    /// <summary>Conv → LeakyReLU → MaxPool (overlapping windows) → Flatten → Linear → Softmax: every rule of
    /// DeepLift in one net; the contributions must sum to the change of the probability.</summary>
    [Fact]
    public void ConvMaxPoolSoftmaxNet_IsComplete()
    {
        var rng = new Random(5);
        var model = new Sequential(new Conv2d(2, 3, 3, padding: 1, rng: rng), new LeakyRelu(0.1f), new MaxPool2d(3, stride: 2, padding: 1),
            new Flatten(), new Linear(3 * 3 * 3, 4, rng: rng), new Softmax(1));
        var input = Tensor.Rand(new Shape(2, 2, 6, 6), seed: 11, low: -2f, high: 2f);
        var result = new DeepLift(model, new() { Baseline = Baseline.UniformNoise(-1f, 1f, 3) }).Explain(input, Target.Classes([1, 3]));
        foreach (var d in result.Delta!.ToArray()) Assert.True(Math.Abs(d) < 2e-5f, $"delta {d}");
        Assert.Contains(result.Map.ToArray(), v => v != 0f);
    }

    [Fact]
    public void UnknownModule_IsRefused_NamingIt()
    {
        var model = new Sequential(new Linear(2, 2, rng: new Random(1)), new Square(), new Linear(2, 1, rng: new Random(2)));
        var e = Assert.Throws<NotSupportedException>(() => new DeepLift(model).Explain(Tensor.FromArray([1f, 2f], 1, 2), Target.Class(0)));
        Assert.Contains("'1'", e.Message);
        Assert.Contains("Square", e.Message);
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void DeepLiftShap_AveragesDeepLiftOverBaselines()
    {
        var model = ReluDeepLiftModel();
        var input = Tensor.FromArray([1f, 2f, -1f, 3f], 2, 2);
        Baseline[] baselines = [Baseline.Zero, Baseline.Constant(0.5f), Baseline.UniformNoise(-1f, 1f, 7)];
        var shap = new DeepLiftShap(model, new() { Baselines = baselines }).Explain(input, Target.Class(0));
        var expected = new float[4];
        foreach (var b in baselines)
        {
            var map = new DeepLift(model, new() { Baseline = b }).Explain(input, Target.Class(0)).Map.ToArray();
            for (int i = 0; i < 4; i++) expected[i] += map[i] / baselines.Length;
        }
        GradAssert.Close(expected, shap.Map.ToArray(), 1e-6f);
        foreach (var d in shap.Delta!.ToArray()) Assert.True(Math.Abs(d) < 1e-5f, $"delta {d}");
    }

    /// <summary>A leaf module with no role: x².</summary>
    private sealed class Square : Module
    {
        protected override Tensor Forward(Tensor x) => x * x;
    }
}
