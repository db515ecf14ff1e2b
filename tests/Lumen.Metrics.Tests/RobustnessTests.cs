using Lumen.Attribution;
using Lumen.Attribution.Gradient;
using Lumen.Metrics.Robustness;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class RobustnessTests
{
    private static MetricInput Input(Func<Module, IAttributionMethod> explainer, float weight = 2)
    {
        var model = new LinearModel([.. Enumerable.Repeat(weight, 16)]);
        var x = Tensor.Rand(new Shape(2, 1, 4, 4), seed: 3, low: 0.5f, high: 1f);
        return new MetricInput(model, x, explainer(model).Explain(x, Target.Class(0)).Map, Target.Class(0)) { Explainer = explainer };
    }

    [Fact]
    public void A_gradient_of_a_linear_model_never_changes_so_every_sensitivity_is_zero()
    {
        var input = Input(m => new Saliency(m));
        Assert.Equal(0, new MaxSensitivity().Evaluate(input).Value);
        Assert.Equal(0, new AvgSensitivity().Evaluate(input).Value);
        Assert.Equal(0, new LocalLipschitzEstimate().Evaluate(input).Value);
        Assert.Equal(0, new Continuity().Evaluate(input).Value);
        Assert.Equal(0, new RelativeInputStability().Evaluate(input).Value);
        Assert.Equal(0, new RelativeOutputStability().Evaluate(input).Value);
    }

    [Fact]
    public void Input_x_gradient_of_a_linear_model_has_lipschitz_constant_equal_to_the_weight()
    {
        // Φ(x) = w ⊙ x with w = 2 everywhere: ‖Φ(x) − Φ(x′)‖ / ‖x − x′‖ = 2 for every perturbation
        var input = Input(m => new InputXGradient(m));
        Assert.Equal(2, new LocalLipschitzEstimate().Evaluate(input).Value, 5);
        // relative change of w ⊙ x over relative change of x is exactly 1
        Assert.Equal(1, new RelativeInputStability().Evaluate(input).Value, 5);
        // Continuity: ‖ΔΦ‖₁ / ‖Δx‖₂ = 2 ‖Δx‖₁ / ‖Δx‖₂ > 0
        Assert.True(new Continuity().Evaluate(input).Value > 2);
    }

    [Fact]
    public void Relative_representation_stability_uses_the_named_layer()
    {
        var model = Toy.Mlp();
        var x = Tensor.Rand(new Shape(1, 1, 4, 4), seed: 5);
        Func<Module, IAttributionMethod> explainer = m => new Saliency(m);
        var input = new MetricInput(model, x, explainer(model).Explain(x, Target.Class(0)).Map, Target.Class(0)) { Explainer = explainer };
        var first = new RelativeRepresentationStability(new() { Layer = "1" }).Evaluate(input).Value;
        Assert.True(double.IsFinite(first) && first >= 0);
        Assert.Equal(first, new RelativeRepresentationStability(new() { Layer = "1" }).Evaluate(input).Value);
        Assert.Throws<ArgumentException>(() => new RelativeRepresentationStability(new() { Layer = "nope" }).Evaluate(input));
    }

    [Fact]
    public void Consistency_compares_predictions_of_samples_with_the_same_top_pixels()
    {
        var model = new LinearModel([1, -1, -1, 1], classes: 2);
        var x = Tensor.FromArray([2f, 0, 3, 0, 0, 2, 1, 1], 4, 2);
        var maps = Tensor.FromArray([1f, 0, 5, 0, 3, 1, 0, 1], 4, 2); // top-1: 0, 0, 0, 1
        var result = new Consistency(topK: 1).Evaluate(new MetricInput(model, x, maps, Target.Class(0)));
        Assert.Equal(0.5, result.PerSample[0]);
        Assert.Equal(0.5, result.PerSample[1]);
        Assert.Equal(0, result.PerSample[2]);
        Assert.True(double.IsNaN(result.PerSample[3]));
        Assert.Equal(1.0 / 3, result.Value, 12);
    }

    [Fact]
    public void Metrics_that_re_explain_refuse_an_input_without_an_explainer()
    {
        var input = Input(m => new Saliency(m)) with { Explainer = null };
        Assert.Contains("Explainer", Assert.Throws<ArgumentException>(() => new MaxSensitivity().Evaluate(input)).Message);
    }
}
