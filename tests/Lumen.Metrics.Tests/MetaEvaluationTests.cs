using Lumen.Attribution;
using Lumen.Attribution.Gradient;
using Lumen.Metrics.Axiomatic;
using Lumen.Metrics.Complexity;
using Lumen.Metrics.Faithfulness;
using Lumen.Metrics.Meta;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class MetaEvaluationTests
{
    /// <summary>f(x) = 4x₁ + 3x₂ + 2x₃ + x₄ at x = 1; Input × Gradient = (4, 3, 2, 1).</summary>
    private static MetricInput Linear()
    {
        var model = new LinearModel([4, 3, 2, 1]);
        var x = Tensor.Ones(1, 4);
        return new MetricInput(model, x, new InputXGradient(model).Explain(x, Target.Class(0)).Map, Target.Class(0));
    }

    [Fact]
    public void Sparseness_cannot_see_a_permuted_map_so_it_is_not_trusted()
    {
        var meta = new MetaEvaluation().Evaluate(new Sparseness(), Linear());
        Assert.Equal(0, meta.Reactivity); // the Gini index depends on the sorted values only
        Assert.True(meta.NoiseResilience < 1);
        Assert.False(meta.Trusted);
        Assert.Equal(new Sparseness().Evaluate(Linear()).Value, meta.Score);
    }

    [Fact]
    public void Deletion_ignores_noise_that_keeps_the_order_and_reacts_to_a_permutation()
    {
        // noise of 0.1 % of the spread cannot reorder relevances 1 apart: the curve is unchanged
        var meta = new MetaEvaluation(new() { NoiseLevel = 0.001, Draws = 3 }).Evaluate(new DeletionCurve(new() { Steps = null }), Linear());
        Assert.Equal(1, meta.NoiseResilience);
        Assert.True(meta.Reactivity > 0);
        Assert.True(meta.Trusted);
        Assert.Equal(3.75, meta.Score, 12);
    }

    [Fact]
    public void A_metric_blind_to_the_map_is_fully_resilient_and_never_trusted()
    {
        var meta = new MetaEvaluation().Evaluate(new Completeness(), Linear() with { Attribution = Tensor.Ones(1, 4) });
        Assert.Equal(1, meta.NoiseResilience, 12);
        Assert.Equal(0, meta.Reactivity); // Σa is the same for every permutation
        Assert.False(meta.Trusted);
    }
}
