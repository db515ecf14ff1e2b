using Lumen.Attribution;
using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.Metrics.Axiomatic;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class AxiomaticTests
{
    [Fact]
    public void Integrated_gradients_is_complete_on_basic_model_2_and_input_x_gradient_is_not()
    {
        var model = new BasicModel2();
        var x = Tensor.FromArray([3f, 1], 1, 2);
        var ig = new IntegratedGradients(model, new() { Steps = 4, Quadrature = Quadrature.RiemannMiddle }).Explain(x, Target.Class(0)).Map;
        Assert.Equal(1, new Completeness().Evaluate(new MetricInput(model, x, ig, Target.Class(0))).Value);
        var ixg = new InputXGradient(model).Explain(x, Target.Class(0)).Map;
        Assert.Equal(0, new Completeness().Evaluate(new MetricInput(model, x, ixg, Target.Class(0))).Value);
    }

    [Fact]
    public void Non_sensitivity_counts_zero_attributions_that_matter_and_nonzero_ones_that_do_not()
    {
        var model = new LinearModel([1, 0, 2, 0]);
        var x = Tensor.Ones(1, 4);
        var saliency = new Saliency(model).Explain(x, Target.Class(0)).Map; // (1, 0, 2, 0)
        Assert.Equal(0, new NonSensitivity().Evaluate(new MetricInput(model, x, saliency, Target.Class(0))).Value);
        Assert.Equal(2, new NonSensitivity().Evaluate(new MetricInput(model, x, Tensor.Ones(1, 4), Target.Class(0))).Value);
        Assert.Equal(4, new NonSensitivity().Evaluate(new MetricInput(model, x, Tensor.FromArray([0f, 1, 0, 1], 1, 4), Target.Class(0))).Value);
    }

    [Theory]
    [InlineData("saliency", 1)]
    [InlineData("input-x-gradient", 0)]
    [InlineData("integrated-gradients", 0)]
    public void Input_invariance_holds_for_gradients_but_not_for_methods_multiplying_by_the_input(string method, double expected)
    {
        var model = Toy.Mlp();
        var x = Tensor.Rand(new Shape(1, 1, 4, 4), seed: 2);
        Func<Module, IAttributionMethod> explainer = m => KnownAttributionMethods.Create(method, m);
        var input = new MetricInput(model, x, explainer(model).Explain(x, Target.Class(1)).Map, Target.Class(1)) { Explainer = explainer };
        Assert.Equal(expected, new InputInvariance().Evaluate(input).Value);
    }
}
