using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

/// <summary>
/// SmoothGrad (Captum's NoiseTunnel over a Layer* method) and GradientShap (Captum's LayerGradientShap) attributing to
/// a layer: the noise is added to the input, the attributed quantity is the layer's.
/// </summary>
public class LayerNoiseMethodsTests
{
    /// <summary>a = ReLU(W x + b) at "relu", f = V a + c: linear above the layer, so ∂f/∂a = V's row.</summary>
    private static Sequential Model()
    {
        var hidden = new Linear(3, 2);
        hidden.Weight.CopyFrom(Tensor.FromArray([1f, 2f, -1f, 0.5f, -1f, 3f], 2, 3));
        hidden.Bias!.CopyFrom(Tensor.FromArray([0.5f, -0.25f], 2));
        var output = new Linear(2, 2);
        output.Weight.CopyFrom(Tensor.FromArray([2f, -3f, -1f, 0.5f], 2, 2));
        output.Bias!.CopyFrom(Tensor.FromArray([0.5f, 0f], 2));
        return new Sequential([("hidden", (Module)hidden), ("relu", new Relu()), ("out", output)]);
    }

    private static readonly Tensor X = Tensor.FromArray([1f, 1f, 1f, 2f, -1f, 0.25f], 2, 3);

    public static TheoryData<string> LayerMethods => ["saliency", "input-x-gradient", "integrated-gradients"];

    private static IAttributionMethod LayerMethod(string name, Module model) => name switch
    {
        "saliency" => new Saliency(model, new() { Absolute = false, AttributeTo = AttributeTo.Layer("relu") }),
        "input-x-gradient" => new InputXGradient(model, new() { AttributeTo = AttributeTo.Layer("relu") }),
        _ => new IntegratedGradients(model, new() { Steps = 8, AttributeTo = AttributeTo.Layer("relu") }),
    };

    [Theory]
    [MemberData(nameof(LayerMethods))]
    public void Smooth_grad_without_noise_is_the_layer_method_exactly(string name)
    {
        var model = Model();
        var plain = LayerMethod(name, model).Explain(X, Target.Classes([0, 1]));
        foreach (int samples in new[] { 1, 3 })
        {
            var smooth = new SmoothGrad(model, LayerMethod(name, model), new() { NoiseLevel = 0f, Samples = samples }).Explain(X, Target.Classes([0, 1]));
            Assert.Equal(new Shape(2, 2), smooth.Map.Shape);
            Assert.Equal(plain.Map.ToArray(), smooth.Map.ToArray());
        }
    }

    [Fact]
    public void Smooth_grad_over_a_layer_adds_the_noise_to_the_input()
    {
        // Layer gradient × activation at "relu" is a ⊙ V₀, a = ReLU(W x̃ + b): with noise it averages over x̃, so it
        // changes, stays layer-shaped, and is the same for the same seed however it is chunked.
        var model = Model();
        var options = new SmoothGradOptions { NoiseLevel = 0.5f, NoiseRelativeToRange = false, Samples = 6, Seed = 3 };
        var smooth = new SmoothGrad(model, LayerMethod("input-x-gradient", model), options).Explain(X, Target.Class(0)).Map.ToArray();
        var chunked = new SmoothGrad(model, LayerMethod("input-x-gradient", model), options with { BatchSize = 1 }).Explain(X, Target.Class(0)).Map.ToArray();
        var plain = LayerMethod("input-x-gradient", model).Explain(X, Target.Class(0)).Map.ToArray();
        Assert.Equal(4, smooth.Length);
        GradAssert.Close(smooth, chunked, 1e-6f);
        Assert.True(smooth.Zip(plain).Any(p => Math.Abs(p.First - p.Second) > 1e-3f), "noise on the input must change the layer attribution");
    }

    [Fact]
    public void Layer_gradient_shap_on_a_layer_with_a_linear_head_is_exact()
    {
        // ∂f₀/∂a = V₀ = [2, −3] at every point, so every draw gives V₀ ⊙ (a(x) − a(x′)) whatever α. With x′ = 0:
        // a(0) = ReLU(b) = [0.5, 0]; sample 0: a(x) = ReLU([2.5, 2.25]) → [2 · 2, −3 · 2.25] = [4, −6.75];
        // sample 1: a(x) = ReLU([0.25, 2.5]) → [2 · (−0.25), −3 · 2.5] = [−0.5, −7.5].
        var model = Model();
        var options = new GradientShapOptions { Samples = 5, Baselines = [Baseline.Zero], AttributeTo = AttributeTo.Layer("relu") };
        var result = new GradientShap(model, options).Explain(X, Target.Class(0));
        Assert.Equal(new Shape(2, 2), result.Map.Shape);
        GradAssert.Close([4f, -6.75f, -0.5f, -7.5f], result.Map.ToArray(), 1e-5f);
        // One draw equals the layer's integrated gradients on the activation line (exact here: the gradient is constant).
        var one = new GradientShap(model, options with { Samples = 1 }).Explain(X, Target.Class(0)).Map.ToArray();
        var layerIg = new IntegratedGradients(model, new() { Steps = 4, AttributeTo = AttributeTo.Layer("relu") }).Explain(X, Target.Class(0)).Map.ToArray();
        GradAssert.Close(layerIg, one, 1e-5f);
    }

    [Fact]
    public void Layer_gradient_shap_is_complete_through_a_linear_head_with_two_baselines()
    {
        // Σⱼ V₀ⱼ (a(x) − a(x′))ⱼ = f(x) − f(x′) per draw, so the map sums to f(x) minus the mean of f over the drawn
        // baselines, which lies between f(0) and f(1) for constant baselines 0 and 1.
        var model = Model();
        var options = new GradientShapOptions { Samples = 8, Baselines = [Baseline.Zero, Baseline.Constant(1f)], AttributeTo = AttributeTo.Layer("relu"), Seed = 5 };
        var map = new GradientShap(model, options).Explain(X, Target.Class(0)).Map.ToArray();
        var fx = TargetedForward.Scores(model, X, Target.Class(0)).ToArray();
        var f0 = TargetedForward.Scores(model, Tensor.Zeros(2, 3), Target.Class(0)).ToArray();
        var f1 = TargetedForward.Scores(model, Tensor.Ones(2, 3), Target.Class(0)).ToArray();
        for (int b = 0; b < 2; b++)
        {
            float meanReference = fx[b] - (map[2 * b] + map[2 * b + 1]);
            Assert.InRange(meanReference, Math.Min(f0[b], f1[b]) - 1e-4f, Math.Max(f0[b], f1[b]) + 1e-4f);
        }
    }

    [Fact]
    public void Layer_gradient_shap_with_noise_is_chunk_independent_and_seeded()
    {
        var model = Model();
        var options = new GradientShapOptions { Samples = 6, Noise = 0.3f, AttributeTo = AttributeTo.Layer("relu"), Seed = 11 };
        var whole = new GradientShap(model, options).Explain(X, Target.Classes([1, 0])).Map.ToArray();
        var chunked = new GradientShap(model, options with { BatchSize = 1 }).Explain(X, Target.Classes([1, 0])).Map.ToArray();
        GradAssert.Close(whole, chunked, 1e-6f);
        var otherSeed = new GradientShap(model, options with { Seed = 12 }).Explain(X, Target.Classes([1, 0])).Map.ToArray();
        Assert.NotEqual(whole, otherSeed);
    }
}
