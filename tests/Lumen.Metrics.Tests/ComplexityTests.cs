using Lumen.Attribution;
using Lumen.Metrics.Complexity;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class ComplexityTests
{
    private static MetricInput Map(float[] values) =>
        new(new LinearModel(new float[values.Length]), Tensor.Ones(1, values.Length), Tensor.FromArray(values, 1, values.Length), Target.Class(0));

    [Fact]
    public void Sparseness_of_one_hot_is_one_minus_one_over_n_and_of_uniform_is_zero()
    {
        Assert.Equal(1 - 1.0 / 8, new Sparseness().Evaluate(Map([0, 0, 0, -5, 0, 0, 0, 0])).Value, 12);
        Assert.Equal(0, new Sparseness().Evaluate(Map([2, -2, 2, 2])).Value, 12);
        // magnitudes 1, 2, 3 sorted: (−2·1 + 0·2 + 2·3) / (3·6) = 4/18
        Assert.Equal(4.0 / 18, new Sparseness().Evaluate(Map([3, -1, 2])).Value, 12);
        Assert.True(double.IsNaN(new Sparseness().Evaluate(Map([0, 0])).Value));
    }

    [Fact]
    public void Complexity_is_the_entropy_zero_for_one_hot_and_ln_n_for_uniform()
    {
        Assert.Equal(0, new Complexity.Complexity().Evaluate(Map([0, 7, 0, 0])).Value, 12);
        Assert.Equal(Math.Log(5), new Complexity.Complexity().Evaluate(Map([1, 1, -1, 1, 1])).Value, 12);
        Assert.Equal(-(0.25 * Math.Log(0.25) + 0.75 * Math.Log(0.75)), new Complexity.Complexity().Evaluate(Map([1, 0, -3])).Value, 12);
    }

    [Fact]
    public void Effective_complexity_counts_values_above_the_threshold()
    {
        Assert.Equal(2, new EffectiveComplexity(0.5).Evaluate(Map([0.1f, -0.6f, 0.5f, 3f])).Value);
        Assert.Equal(ScoreDirection.LowerIsBetter, new EffectiveComplexity().Direction);
    }
}
