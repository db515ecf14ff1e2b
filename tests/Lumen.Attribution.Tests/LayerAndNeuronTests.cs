using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.Attribution.Propagation;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

/// <summary>
/// Captum's Layer*/Neuron* gradient methods as Target × AttributeTo combinations of the existing classes, on Captum's
/// BasicModel_MultiLayer with input [0, 100, 0] (captum tests: test_layer_conductance, test_internal_influence,
/// test_layer_integrated_gradients, test_layer_gradient_x_activation, test_neuron_gradient,
/// test_neuron_integrated_gradients). Along the path αx the hidden pre-activations are a = [100α − 10, 100α + 1,
/// 100α + 1, 100α + 1]; unit 0 switches on at α = 0.1, so f(x) − f(0) = 392 − 2 = 390.
/// </summary>
public class LayerAndNeuronTests
{
    private static readonly Tensor X = Tensor.FromArray([0f, 100f, 0f], 1, 3);

    private static IntegratedGradients Ig(string layer, LayerPath path, bool multiply = true, int steps = 200) =>
        new(new MultiLayerModel(), new() { AttributeTo = AttributeTo.Layer(layer), LayerPath = path, MultiplyByInputs = multiply, Steps = steps, Quadrature = Quadrature.RiemannMiddle });

    [Fact]
    public void Layer_conductance_of_the_input_layer_is_0_390_0()
    {
        var result = Ig("linear0", LayerPath.Input).Explain(X, Target.Class(0));
        GradAssert.Close([0f, 390f, 0f], result.Map.ToArray(), 1e-3f);
        Assert.Equal(0f, result.Delta!.Item(), 2);
    }

    [Fact]
    public void Layer_conductance_of_the_hidden_layer_is_90_100_100_100()
    {
        var result = Ig("linear1", LayerPath.Input).Explain(X, Target.Class(0));
        GradAssert.Close([90f, 100f, 100f, 100f], result.Map.ToArray(), 1e-3f);
    }

    [Fact]
    public void Layer_conductance_with_gauss_legendre_cells_is_complete()
    {
        // Gauss–Legendre nodes lie inside the cells of their cumulative weights, so the Stieltjes sum telescopes:
        // 50 nodes, the switch at α = 0.1 falls inside one cell and costs at most its width × 100.
        var conductance = new IntegratedGradients(new MultiLayerModel(), new() { AttributeTo = AttributeTo.Layer("linear1"), LayerPath = LayerPath.Input });
        var result = conductance.Explain(X, Target.Class(0));
        Assert.True(Math.Abs(result.Delta!.Item()) < 1.5f, $"delta {result.Delta.Item()}");
        GradAssert.Close([100f, 100f, 100f], result.Map.ToArray()[1..], 1e-3f);
    }

    [Fact]
    public void Internal_influence_of_the_input_layer_is_3_9_everywhere()
    {
        // ∂f/∂a₀ⱼ = Σ_h 1[a₁ₕ > 0] = 3 + 1[α > 0.1] for every input unit j; its mean over α is 3.9.
        var result = Ig("linear0", LayerPath.Input, multiply: false).Explain(X, Target.Class(0));
        GradAssert.Close([3.9f, 3.9f, 3.9f], result.Map.ToArray(), 1e-3f);
        Assert.Null(result.Delta);
    }

    [Fact]
    public void Layer_integrated_gradients_on_the_activation_line()
    {
        // Identity first layer: the activation line is the input line, so LayerIG = IG = [0, 390, 0]. On linear1 the
        // line runs from [−10, 1, 1, 1] to [90, 101, 101, 101]: [90, 100, 100, 100].
        GradAssert.Close([0f, 390f, 0f], Ig("linear0", LayerPath.Activation).Explain(X, Target.Class(0)).Map.ToArray(), 1e-3f);
        var hidden = Ig("linear1", LayerPath.Activation).Explain(X, Target.Class(0));
        GradAssert.Close([90f, 100f, 100f, 100f], hidden.Map.ToArray(), 1e-3f);
        Assert.Equal(0f, hidden.Delta!.Item(), 2);
    }

    [Fact]
    public void Layer_gradient_x_activation_is_input_x_gradient_at_the_layer()
    {
        // linear1 output [90, 101, 101, 101], all positive, ∂f₀/∂a = 1: the activation itself.
        var map = new InputXGradient(new MultiLayerModel(), new() { AttributeTo = AttributeTo.Layer("linear1") }).Explain(X, Target.Class(0)).Map;
        GradAssert.Close([90f, 101f, 101f, 101f], map.ToArray(), 1e-4f);
    }

    [Fact]
    public void Neuron_gradient_and_neuron_integrated_gradients()
    {
        // Neuron 0 of linear1 is x₁ + x₂ + x₃ − 10: gradient [1, 1, 1], IG from zero = x = [0, 100, 0].
        var neuron = Target.Neuron("linear1", 0);
        GradAssert.Close([1f, 1f, 1f], new Saliency(new MultiLayerModel(), new() { Absolute = false }).Explain(X, neuron).Map.ToArray(), 0f);
        var ig = new IntegratedGradients(new MultiLayerModel()).Explain(X, neuron);
        GradAssert.Close([0f, 100f, 0f], ig.Map.ToArray(), 1e-3f);
        Assert.Equal(0f, ig.Delta!.Item(), 3);
    }

    [Fact]
    public void Neuron_deep_lift_and_neuron_guided_backprop_read_the_neuron_not_the_output()
    {
        // Neuron 0 of linear1 is x₁ + x₂ + x₃ − 10 (90 at x, −10 at 0): DeepLift = x · w = [0, 100, 0], delta 0; guided
        // backprop meets no rectifier before it: [1, 1, 1]. Read from the model output instead, both would explain
        // output 0 (DeepLift [0, 390, 0]).
        var neuron = Target.Neuron("linear1", 0);
        var deepLift = new DeepLift(new MultiLayerModel()).Explain(X, neuron);
        GradAssert.Close([0f, 100f, 0f], deepLift.Map.ToArray(), 1e-4f);
        Assert.Equal(0f, deepLift.Delta!.Item(), 3);
        GradAssert.Close([1f, 1f, 1f], new GuidedBackprop(new MultiLayerModel()).Explain(X, neuron).Map.ToArray(), 0f);
        // After the ReLU, unit 0 is on (90 > 0): the same for guided backprop; LRP conserves the neuron's value 90.
        GradAssert.Close([1f, 1f, 1f], new GuidedBackprop(new MultiLayerModel()).Explain(X, Target.Neuron("relu", 0)).Map.ToArray(), 0f);
        var lrp = new Lrp(new MultiLayerModel()).Explain(X, Target.Neuron("relu", 0));
        Assert.True(Math.Abs(lrp.Map.ToArray().Sum() - 90f) < 10f + 1e-3f, $"LRP relevance {lrp.Map.ToArray().Sum()} for a neuron of value 90 (bias −10)");
    }

    [Fact]
    public void Adaptive_steps_match_uniform_steps_where_the_rule_is_exact()
    {
        var linear = new LinearModel([1f, -2f, 0.5f, 3f, 0f, -1f], 3, 2);
        var x = Tensor.FromArray([1f, 2f, -1f, 0.5f, -3f, 4f], 2, 3);
        var adaptive = new IntegratedGradients(linear, new() { AdaptiveSteps = true, Steps = 5 }).Explain(x, Target.Classes([1, 0]));
        GradAssert.Close([-2f, 6f, 1f, 0.5f, -1.5f, 0f], adaptive.Map.ToArray(), 1e-5f);
    }

    [Fact]
    public void Adaptive_steps_bisect_towards_a_kink_and_close_the_completeness_gap()
    {
        // BasicModel2 at x = [3, 1.2]: f(αx) = ReLU(1.8α − 1), a kink at α = 5/9 and f(x) − f(0) = 0.8. The uniform
        // trapezoid rule on 8 points overshoots in the cell [3/7, 4/7] by (1/14) · 1.8 − 1.8 · (4/7 − 5/9) = 0.1 (12.5%);
        // adaptive steps start from 0, ½, 1 and bisect the cell holding the kink five times down to [0.546875, 0.5625],
        // whose error is 0.0016 (0.2%).
        var x = Tensor.FromArray([3f, 1.2f], 1, 2);
        var uniform = new IntegratedGradients(new BasicModel2(), new() { Steps = 8, Quadrature = Quadrature.RiemannTrapezoid }).Explain(x, Target.Class(0));
        var adaptive = new IntegratedGradients(new BasicModel2(), new() { Steps = 8, AdaptiveSteps = true }).Explain(x, Target.Class(0));
        Assert.Equal(0.1f, uniform.Delta!.Item(), 3);
        Assert.True(Math.Abs(adaptive.Delta!.Item()) < 0.002f, $"adaptive delta {adaptive.Delta.Item()}");
        Assert.Equal(0.8f, adaptive.Map.ToArray().Sum() - adaptive.Delta.Item(), 4);
    }

    [Fact]
    public void Adaptive_steps_are_chunk_independent_per_sample()
    {
        var x = Tensor.FromArray([3f, 1.2f, 2f, 0.5f, -1f, 2f], 3, 2);
        var options = new IntegratedGradientsOptions { Steps = 9, AdaptiveSteps = true };
        var whole = new IntegratedGradients(new BasicModel2(), options with { BatchSize = 1000 }).Explain(x, Target.Class(0));
        var chunked = new IntegratedGradients(new BasicModel2(), options with { BatchSize = 3 }).Explain(x, Target.Class(0));
        GradAssert.Close(whole.Map.ToArray(), chunked.Map.ToArray(), 1e-6f);
        var single = new IntegratedGradients(new BasicModel2(), options).Explain(x.Slice(0, 0, 1), Target.Class(0));
        GradAssert.Close(single.Map.ToArray(), whole.Map.ToArray()[..2], 1e-6f);
    }

    [Fact]
    public void Several_classes_are_explained_in_one_call_and_match_one_call_per_class()
    {
        var model = new MultiLayerModel();
        var x = Tensor.FromArray([0f, 100f, 0f, 1f, 2f, 3f], 2, 3);
        var ig = new IntegratedGradients(model, new() { Steps = 16 });
        var both = ig.ExplainClasses(x, [1, 0]);
        Assert.Equal(new Shape(4, 3), both.Map.Shape);
        var maps = both.Map.ToArray();
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < 2; k++)
            {
                var single = ig.Explain(x.Slice(0, b, b + 1), Target.Class(k == 0 ? 1 : 0)).Map.ToArray();
                GradAssert.Close(single, maps[((b * 2 + k) * 3)..((b * 2 + k) * 3 + 3)], 1e-4f);
            }
        Assert.Throws<ArgumentException>(() => ig.ExplainClasses(x, []));
    }

    [Fact]
    public void Unsupported_combinations_throw_at_construction()
    {
        var model = new MultiLayerModel();
        Assert.Contains("nothing", Assert.Throws<ArgumentException>(() => new IntegratedGradients(model, new() { AttributeTo = AttributeTo.Layer("nothing") })).Message);
        Assert.Contains("Steps ≥ 3", Assert.Throws<ArgumentOutOfRangeException>(() => new IntegratedGradients(model, new() { AdaptiveSteps = true, Steps = 2 })).Message);
        Assert.Throws<NotSupportedException>(() => new IntegratedGradients(model, new() { AdaptiveSteps = true, AttributeTo = AttributeTo.Layer("linear1"), LayerPath = LayerPath.Input }));
    }
}
