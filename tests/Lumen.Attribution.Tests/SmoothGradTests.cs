using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

public class SmoothGradTests
{
    private static readonly LinearModel Linear = new([1f, -2f, 0.5f, 3f, 0f, -1f], 3, 2);
    private static readonly Tensor X = Tensor.FromArray([1f, 2f, -1f, 0.5f, -3f, 4f], 2, 3);

    [Fact]
    public void On_a_linear_model_every_noisy_gradient_is_the_weight_column()
    {
        var signed = new Saliency(Linear, new() { Absolute = false });
        Assert.Equal(new[] { -2f, 3f, -1f, -2f, 3f, -1f }, Explain(signed, NoiseAggregation.Mean).ToArray());
        Assert.Equal(new[] { 4f, 9f, 1f, 4f, 9f, 1f }, Explain(signed, NoiseAggregation.MeanOfSquares).ToArray());
        Assert.Equal(new float[6], Explain(signed, NoiseAggregation.Variance).ToArray());
    }

    [Fact]
    public void On_a_quadratic_the_moments_of_the_noise_come_back()
    {
        // f(x) = Σ xᵢ², ∂f/∂xᵢ = 2(xᵢ + εᵢ): SmoothGrad → 2x, SmoothGrad² → 4x² + 4σ², VarGrad → 4σ².
        var x = Tensor.FromArray([1f, -0.5f, 2f], 1, 3);
        var model = new SquareSum();
        var saliency = new Saliency(model, new() { Absolute = false });
        var options = new SmoothGradOptions { Samples = 4000, NoiseLevel = 0.5f, NoiseRelativeToRange = false };
        float sigma2 = 0.25f;
        var mean = new SmoothGrad(model, saliency, options).Explain(x, Target.Class(0)).Map.ToArray();
        var squares = new SmoothGrad(model, saliency, options with { Aggregation = NoiseAggregation.MeanOfSquares }).Explain(x, Target.Class(0)).Map.ToArray();
        var variance = new SmoothGrad(model, saliency, options with { Aggregation = NoiseAggregation.Variance }).Explain(x, Target.Class(0)).Map.ToArray();
        GradAssert.Close([2f, -1f, 4f], mean, 0.05f);
        GradAssert.Close([4f + 4 * sigma2, 1f + 4 * sigma2, 16f + 4 * sigma2], squares, 0.1f);
        Assert.All(variance, v => Assert.InRange(v, 4 * sigma2 * 0.9f, 4 * sigma2 * 1.1f));
    }

    [Fact]
    public void Noise_relative_to_the_range_scales_with_each_sample()
    {
        // A constant sample has range 0: no noise, so SmoothGrad equals the plain gradient 2x there.
        var x = Tensor.FromArray([3f, 3f, 3f, 0f, 1f, 2f], 2, 3);
        var model = new SquareSum();
        var map = new SmoothGrad(model, new Saliency(model, new() { Absolute = false }), new() { Samples = 5 }).Explain(x, Target.Class(0)).Map.ToArray();
        Assert.Equal(new[] { 6f, 6f, 6f }, map[..3]);
        Assert.NotEqual(new[] { 0f, 2f, 4f }, map[3..]);
    }

    [Fact]
    public void Chunked_equals_unchunked_and_the_same_seed_gives_the_same_map()
    {
        var model = new SquareSum();
        var saliency = new Saliency(model);
        var options = new SmoothGradOptions { Samples = 7, Seed = 3 };
        var whole = new SmoothGrad(model, saliency, options with { BatchSize = 100 }).Explain(X, Target.Class(0)).Map.ToArray();
        var chunked = new SmoothGrad(model, saliency, options with { BatchSize = 3 }).Explain(X, Target.Class(0)).Map.ToArray();
        var budgeted = new SmoothGrad(model, saliency, options with { MemoryBudgetBytes = 1 }).Explain(X, Target.Class(0)).Map.ToArray();
        var otherSeed = new SmoothGrad(model, saliency, options with { Seed = 4 }).Explain(X, Target.Class(0)).Map.ToArray();
        Assert.Equal(whole, chunked);
        Assert.Equal(whole, budgeted);
        Assert.NotEqual(whole, otherSeed);
    }

    [Fact]
    public void Each_noisy_row_comes_from_its_own_seed_whatever_the_threads()
    {
        // f(x) = Σ xᵢ²: row r's gradient is exactly 2(x + σ·εᵣ), εᵣ = Randn(seedᵣ), seeds drawn in row order.
        var x = Tensor.FromArray([1f, -0.5f, 2f], 1, 3);
        var model = new SquareSum();
        var options = new SmoothGradOptions { Samples = 8, NoiseLevel = 0.5f, NoiseRelativeToRange = false, Seed = 11, BatchSize = 5 };
        var seeds = new Random(11);
        var sum = new double[3];
        for (int r = 0; r < 8; r++)
        {
            var noise = Tensor.Randn(new Shape(1, 3), seeds.Next()).ToArray();
            for (int i = 0; i < 3; i++) sum[i] += 2f * (x.ToArray()[i] + 0.5f * noise[i]);
        }
        int threads = Parallelism.MaxDegree;
        try
        {
            foreach (int degree in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = degree;
                var map = new SmoothGrad(model, new Saliency(model, new() { Absolute = false }), options).Explain(x, Target.Class(0)).Map.ToArray();
                Assert.Equal(sum.Select(v => (float)(v / 8)).ToArray(), map);
            }
        }
        finally { Parallelism.MaxDegree = threads; }
    }

    [Fact]
    public void Wrapping_integrated_gradients_averages_their_deltas_and_keeps_per_sample_targets()
    {
        var ig = new IntegratedGradients(Linear, new() { Steps = 4 });
        var result = new SmoothGrad(Linear, ig, new() { Samples = 6, BatchSize = 5 }).Explain(X, Target.Classes([1, 0]));
        var noiseless = new SmoothGrad(Linear, ig, new() { Samples = 3, NoiseLevel = 0 }).Explain(X, Target.Classes([1, 0]));
        GradAssert.Close(ig.Explain(X, Target.Classes([1, 0])).Map.ToArray(), noiseless.Map.ToArray(), 1e-6f);
        Assert.NotNull(result.Delta);
        GradAssert.Close([0f, 0f], result.Delta!.ToArray(), 1e-4f);
    }

    [Fact]
    public void Bad_options_are_named()
    {
        var saliency = new Saliency(Linear);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmoothGrad(Linear, saliency, new() { Samples = 0 }));
        Assert.Contains("NoiseLevel", Assert.Throws<ArgumentOutOfRangeException>(() => new SmoothGrad(Linear, saliency, new() { NoiseLevel = float.NaN })).Message);
    }

    private static Tensor Explain(IAttributionMethod inner, NoiseAggregation aggregation) =>
        new SmoothGrad(Linear, inner, new() { Samples = 5, Aggregation = aggregation }).Explain(X, Target.Class(1)).Map;
}

/// <summary>f(x) = Σᵢ xᵢ² on [B, F], output [B, 1].</summary>
internal sealed class SquareSum : Module
{
    protected override Tensor Forward(Tensor x) => (x * x).Sum(1, keepDims: true);
}
