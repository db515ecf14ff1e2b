using Lumen.Attribution.Gradient;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

public class GradientMethodTests
{
    private static readonly LinearModel Model = new([1f, -2f, 0.5f, 3f, 0f, -1f], 3, 2);

    [Fact]
    public void Saliency_of_a_linear_model_is_the_absolute_weight_column()
    {
        var x = Tensor.FromArray([1f, 2f, -1f], 1, 3);
        Assert.Equal(new[] { 2f, 3f, 1f }, new Saliency(Model).Explain(x, Target.Class(1)).Map.ToArray());
        Assert.Equal(new[] { -2f, 3f, -1f }, new Saliency(Model, new() { Absolute = false }).Explain(x, Target.Class(1)).Map.ToArray());
    }

    [Fact]
    public void Input_x_gradient_of_a_linear_model_is_x_times_w()
    {
        var x = Tensor.FromArray([1f, 2f, -1f], 1, 3);
        Assert.Equal(new[] { 1f, 1f, 0f }, new InputXGradient(Model).Explain(x, Target.Class(0)).Map.ToArray());
    }

    [Fact]
    public void Probability_target_differentiates_through_the_softmax()
    {
        var x = Tensor.FromArray([1f, 2f, -1f], 1, 3);
        var map = new Saliency(Model, new() { Absolute = false }).Explain(x, Target.Probability(0)).Map.ToArray();
        // p0 = σ(z0 − z1), ∂p0/∂x = p0(1 − p0)(W[:,0] − W[:,1])
        double z0 = 1 * 1 + 2 * 0.5 + -1 * 0.0, z1 = 1 * -2 + 2 * 3 + -1 * -1;
        double p0 = 1 / (1 + Math.Exp(z1 - z0)), s = p0 * (1 - p0);
        GradAssert.Close([(float)(s * 3), (float)(s * -2.5), (float)(s * 1)], map, 1e-6f);
    }

    [Fact]
    public void Catalog_finds_methods_by_name_and_alias_and_names_the_known_ones_otherwise()
    {
        Assert.Equal("integrated-gradients", KnownAttributionMethods.Find("IG").Name);
        Assert.IsType<Saliency>(KnownAttributionMethods.Create("saliency", Model));
        var ex = Assert.Throws<ArgumentException>(() => KnownAttributionMethods.Find("magic"));
        Assert.Contains("saliency", ex.Message);
    }

    [Fact]
    public void Every_catalog_method_returns_an_input_shaped_finite_deterministic_map()
    {
        var x = Tensor.FromArray([1f, 2f, -1f, 0.5f, -3f, 4f], 2, 3);
        foreach (var info in KnownAttributionMethods.All.Where(m => m.Family == "gradient"))
        {
            var first = info.Create(Model).Explain(x, Target.Class(1));
            var second = info.Create(Model).Explain(x, Target.Class(1));
            Assert.Equal(x.Shape, first.Map.Shape);
            Assert.All(first.Map.ToArray(), v => Assert.True(float.IsFinite(v), info.Name));
            Assert.Equal(first.Map.ToArray(), second.Map.ToArray());
            Assert.Equal(info.Name, first.Method);
        }
    }
}
