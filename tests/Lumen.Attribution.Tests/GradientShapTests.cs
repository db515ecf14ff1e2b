using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

public class GradientShapTests
{
    private static readonly LinearModel Linear = new([1f, -2f, 0.5f, 3f, 0f, -1f], 3, 2);
    private static readonly Tensor X = Tensor.FromArray([1f, 2f, -1f, 0.5f, -3f, 4f], 2, 3);

    [Fact]
    public void On_a_linear_model_with_one_baseline_it_is_the_difference_times_the_weight()
    {
        var reference = Tensor.FromArray([0.5f, 0.5f, 0.5f], 1, 3);
        var map = new GradientShap(Linear, new() { Samples = 4, Baselines = [Baseline.Of(reference)] }).Explain(X, Target.Classes([1, 0])).Map;
        float[] expected = [(1 - 0.5f) * -2f, (2 - 0.5f) * 3f, (-1 - 0.5f) * -1f, (0.5f - 0.5f) * 1f, (-3 - 0.5f) * 0.5f, (4 - 0.5f) * 0f];
        GradAssert.Close(expected, map.ToArray(), 1e-5f);
    }

    [Fact]
    public void On_a_linear_model_the_baselines_are_averaged()
    {
        // Two constant baselines 0 and 1, drawn uniformly: φ = (x − mean of the drawn baselines) · w, and the map sums
        // to f(x) − (mean drawn f(x′)) exactly.
        var options = new GradientShapOptions { Samples = 200, Baselines = [Baseline.Zero, Baseline.Constant(1f)] };
        var map = new GradientShap(Linear, options).Explain(X, Target.Class(1)).Map.ToArray();
        float[] w = [-2f, 3f, -1f];
        for (int b = 0; b < 2; b++)
        {
            // every feature of a sample shares the same drawn baselines, so x − φ/w is the same mean c for all three
            float c = X.ToArray()[3 * b] - map[3 * b] / w[0];
            Assert.InRange(c, 0.4f, 0.6f);
            for (int i = 1; i < 3; i++) Assert.Equal(X.ToArray()[3 * b + i] - c, map[3 * b + i] / w[i], 4);
        }
    }

    [Fact]
    public void On_a_quadratic_it_is_complete_in_expectation()
    {
        // f(x) = Σ x², zero baseline: φᵢ = 2 E[α] xᵢ² = xᵢ² (the IG value), estimated from 4000 draws of α.
        var x = Tensor.FromArray([1f, -0.5f, 2f], 1, 3);
        var map = new GradientShap(new SquareSum(), new() { Samples = 4000, Baselines = [Baseline.Zero] }).Explain(x, Target.Class(0)).Map.ToArray();
        GradAssert.Close([1f, 0.25f, 4f], map, 0.12f);
    }

    [Fact]
    public void Chunked_equals_unchunked_with_noise()
    {
        var options = new GradientShapOptions { Samples = 9, Noise = 0.3f, Seed = 5 };
        var whole = new GradientShap(new SquareSum(), options with { BatchSize = 100 }).Explain(X, Target.Class(0)).Map.ToArray();
        var chunked = new GradientShap(new SquareSum(), options with { BatchSize = 4 }).Explain(X, Target.Class(0)).Map.ToArray();
        Assert.Equal(whole, chunked);
    }

    [Fact]
    public void Bad_options_are_refused_at_construction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientShap(Linear, new() { Samples = 0 }));
        Assert.Throws<ArgumentException>(() => new GradientShap(Linear, new() { Baselines = [] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientShap(Linear, new() { Noise = -1 }));
    }
}
