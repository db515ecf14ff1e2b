using Lumen.Analysis.Concepts;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Analysis.Tests;

public class TcavTests
{
    [Fact]
    public void Welch_test_matches_a_hand_computed_case()
    {
        // x̄ − ȳ = −3, s² = 1 each: t = −3/√(2/3) = −3.674, ν = 4, two-sided p = 0.0213 (t table: p(3.747) = 0.02)
        var (t, df, p) = WelchTest.Run([1, 2, 3], [4, 5, 6]);
        Assert.Equal(-3 / Math.Sqrt(2 / 3.0), t, 10);
        Assert.Equal(4, df, 10);
        Assert.Equal(0.0213, p, 3);
        Assert.Equal(1.0, WelchTest.Run([1, 2, 3], [1, 2, 3]).P, 12);
        Assert.Equal(0.5, WelchTest.RegularizedIncompleteBeta(2, 2, 0.5), 12);
    }

    /// <summary>Logits = the identity layer's activation h (2 classes, 2 dimensions).</summary>
    private static Sequential Model()
    {
        var linear = new Linear(2, 2, bias: false);
        Tensor.FromArray([1f, 0f, 0f, 1f], 2, 2).AsReadOnlySpan().CopyTo(linear.Weight.Value.AsSpan());
        return new Sequential(new Identity(), linear);
    }

    [Fact]
    public void A_concept_along_a_class_logit_has_tcav_one_and_a_cav_along_it()
    {
        var tcav = new Tcav(Model(), "0");
        var concept = Tensor.Randn(new Shape(20, 2), 1) * 0.3f + Tensor.FromArray([3f, 0f], 1, 2);
        var randomSets = Enumerable.Range(0, 4).Select(i => Tensor.Randn(new Shape(20, 2), 10 + i) * 0.3f).ToList();
        var (cav, accuracy) = tcav.Fit(tcav.Activations(concept), tcav.Activations(randomSets[0]));
        Assert.Equal(1.0, accuracy);
        Assert.True(cav[0] > 0.95f, $"CAV {cav[0]}, {cav[1]}");
        var inputs = Tensor.Randn(new Shape(10, 2), 5);
        Assert.All(tcav.Sensitivities(inputs, 0, cav), s => Assert.Equal(cav[0], s, 5)); // ∇h y₀ = e₀
        var result = tcav.Test(concept, randomSets, inputs, classIndex: 0);
        Assert.All(result.Scores, s => Assert.Equal(1.0, s));
        Assert.Equal(4, result.RandomScores.Count);
        Assert.Equal(0, Model().Hooks.Count);
        Assert.Throws<ArgumentException>(() => tcav.Test(concept, randomSets.Take(2).ToList(), inputs, 0));
    }
}
