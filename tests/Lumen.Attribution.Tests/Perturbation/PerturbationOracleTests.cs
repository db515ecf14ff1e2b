using Lumen.Attribution.Common;
using Lumen.Attribution.Perturbation;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Perturbation;

/// <summary>The perturbation family on Captum's toy models with closed-form answers (ANCHORS §1.1), plus the
/// axioms (Shapley efficiency), determinism, batching, progress and cancellation.</summary>
public class PerturbationOracleTests
{
    // BasicModel_MultiLayer, target 0: f(S) = 4·Σ_{i∈S} xᵢ − 8 for any non-empty S of x = [20, 50, 30], f(∅) = 2.
    private static readonly Tensor X = Tensor.FromArray([20f, 50f, 30f], 1, 3);

    [Fact]
    public void FeatureAblation_matches_Captum()
    {
        var map = new FeatureAblation(new MultiLayerModel()).Explain(X, Target.Class(0)).Map;
        Assert.Equal([80f, 200f, 120f], map.AsReadOnlySpan().ToArray());
    }

    [Fact]
    public void FeatureAblation_with_a_user_mask_gives_each_group_its_drop()
    {
        var mask = FeatureMask.Of(Tensor.FromArray([0f, 1f, 0f], 1, 3));
        var map = new FeatureAblation(new MultiLayerModel(), new() { Mask = mask }).Explain(X, Target.Class(0)).Map;
        Assert.Equal([200f, 200f, 200f], map.AsReadOnlySpan().ToArray()); // 392 − f({50}) = 392 − 192; 392 − f({20, 30}) = 200
    }

    [Fact]
    public void ShapleyValues_are_exact_and_efficient()
    {
        var result = new ShapleyValues(new MultiLayerModel()).Explain(X, Target.Class(0));
        // φᵢ = 4xᵢ − 10/3: the −10 of the first feature added is shared equally.
        var expected = new[] { 80 - 10 / 3.0, 200 - 10 / 3.0, 120 - 10 / 3.0 };
        var map = result.Map.AsReadOnlySpan();
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], map[i], 4);
        Assert.Equal(390.0, map[0] + (double)map[1] + map[2], 4);
        Assert.Equal(0f, result.Delta!.AsReadOnlySpan()[0], 4);
    }

    [Fact]
    public void ShapleyValueSampling_matches_Captum_and_is_efficient()
    {
        var result = new ShapleyValueSampling(new MultiLayerModel(), new() { Samples = 250, Seed = 1 }).Explain(X, Target.Class(0));
        var map = result.Map.AsReadOnlySpan();
        double[] captum = [76.67, 196.67, 116.67];
        for (int i = 0; i < 3; i++) Assert.InRange(map[i], captum[i] - 1.0, captum[i] + 1.0); // ±10·(sampling error of 1/3)
        Assert.Equal(0f, result.Delta!.AsReadOnlySpan()[0], 4); // the marginals telescope in every order
    }

    [Fact]
    public void ShapleyValueSampling_converges_to_the_exact_values()
    {
        var model = new MultiLayerModel();
        var exact = new ShapleyValues(model).Explain(X, Target.Class(0)).Map.AsReadOnlySpan().ToArray();
        var sampled = new ShapleyValueSampling(model, new() { Samples = 4000, Seed = 2 }).Explain(X, Target.Class(0)).Map.AsReadOnlySpan().ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(exact[i], sampled[i], 0.4);
    }

    [Fact]
    public void ShapleyValues_refuses_too_many_features()
    {
        var model = new LinearModel(new float[21], 21, 1);
        var error = Assert.Throws<ArgumentException>(() => new ShapleyValues(model).Explain(Tensor.Zeros(1, 21), Target.Class(0)));
        Assert.Contains("21 features", error.Message);
    }

    [Fact]
    public void FeaturePermutation_on_a_linear_model_is_w_times_the_shift()
    {
        // f(x) = w·x + b: permuting feature i changes sample b's score by wᵢ(x_{b,i} − x_{π(b),i}).
        float[] w = [0.5f, -2f, 3f];
        var model = new LinearModel(w, 3, 1);
        var batch = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f], 4, 3);
        var options = new FeaturePermutationOptions { Seed = 5 };
        var map = new FeaturePermutation(model, options).Explain(batch, Target.Class(0)).Map.AsReadOnlySpan().ToArray();
        var rng = new Random(5);
        var x = batch.AsReadOnlySpan().ToArray();
        for (int i = 0; i < 3; i++)
        {
            var permutation = Enumerable.Range(0, 4).ToArray();
            rng.Shuffle(permutation);
            for (int b = 0; b < 4; b++) Assert.Equal(w[i] * (x[b * 3 + i] - x[permutation[b] * 3 + i]), map[b * 3 + i], 4);
        }
        Assert.Throws<ArgumentException>(() => new FeaturePermutation(model).Explain(Tensor.Zeros(1, 3), Target.Class(0)));
    }

    [Fact]
    public void KernelShap_recovers_the_shapley_values_of_a_linear_model()
    {
        // On f(x) = w·x + b with a zero baseline every coalition's score is linear in z: φₖ = wₖxₖ exactly.
        float[] w = [0.5f, -2f, 3f, 1f];
        var x = Tensor.FromArray([2f, 1f, -1f, 4f], 1, 4);
        var result = new KernelShap(new LinearModel(w, 4, 1), new() { Mask = FeatureMask.Elements, Samples = 60, Seed = 3 }).Explain(x, Target.Class(0));
        var map = result.Map.AsReadOnlySpan().ToArray();
        float[] expected = [1f, -2f, -3f, 4f];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], map[i], 3);
    }

    [Fact]
    public void Lime_ridge_and_lasso_recover_a_linear_model_and_lasso_shrinks_to_zero()
    {
        float[] w = [0.5f, -2f, 3f, 1f];
        var model = new LinearModel(w, 4, 1);
        var x = Tensor.FromArray([2f, 1f, -1f, 4f], 1, 4);
        float[] expected = [1f, -2f, -3f, 4f];
        foreach (var surrogate in new[] { LimeSurrogate.Ridge(1e-9), LimeSurrogate.Lasso(0) })
        {
            var map = new Lime(model, new() { Mask = FeatureMask.Elements, Samples = 80, Seed = 1, Surrogate = surrogate }).Explain(x, Target.Class(0)).Map.AsReadOnlySpan().ToArray();
            for (int i = 0; i < 4; i++) Assert.Equal(expected[i], map[i], 3);
        }
        // With α above every |correlation| of the centred data the Lasso solution is exactly zero.
        var zero = new Lime(model, new() { Mask = FeatureMask.Elements, Samples = 80, Seed = 1, Surrogate = LimeSurrogate.Lasso(100) }).Explain(x, Target.Class(0)).Map.AsReadOnlySpan().ToArray();
        Assert.All(zero, v => Assert.Equal(0f, v));
        // A strong ridge shrinks every coefficient towards zero but keeps its sign.
        var ridge = new Lime(model, new() { Mask = FeatureMask.Elements, Samples = 80, Seed = 1, Surrogate = LimeSurrogate.Ridge(50) }).Explain(x, Target.Class(0)).Map.AsReadOnlySpan().ToArray();
        for (int i = 0; i < 4; i++) Assert.True(Math.Sign(ridge[i]) == Math.Sign(expected[i]) && Math.Abs(ridge[i]) < Math.Abs(expected[i]), $"ridge coefficient {i}: {ridge[i]}");
    }

    [Fact]
    public void LimeSurrogate_ridge_matches_the_normal_equations()
    {
        // Unweighted, centred one-feature case: β = Σ zc·yc / (Σ zc² + α).
        bool[][] z = [[true], [false], [true], [false], [true]];
        double[] y = [3, 1, 4, 1, 5];
        double[] weights = [1, 1, 1, 1, 1];
        double zMean = 0.6, yMean = 2.8, sxy = 0, sxx = 0;
        for (int i = 0; i < 5; i++) { double zc = (z[i][0] ? 1 : 0) - zMean; sxy += zc * (y[i] - yMean); sxx += zc * zc; }
        Assert.Equal(sxy / (sxx + 0.7), LimeSurrogate.Ridge(0.7).Fit(z, y, weights)[0], 10);
    }

    [Fact]
    public void Rise_of_a_constant_model_is_the_constant_and_follows_the_pixels_that_matter()
    {
        // A model that reads pixel (0, 0) only: S(0, 0) = E[M₀²]/p, while far pixels get E[M₀]E[Mⱼ]/p ≈ p; a model that
        // ignores its input (bias 3) gives S ≡ 3·E[M]/p ≈ 3.
        var weights = new float[64];
        weights[0] = 1f;
        var image = Tensor.Ones(1, 1, 8, 8);
        var map = new Rise(Readout(weights, 0f), new() { Masks = 2000, Cells = 4, Seed = 2 }).Explain(image, Target.Class(0)).Map.AsReadOnlySpan().ToArray();
        double far = 0;
        for (int y = 4; y < 8; y++) for (int x = 4; x < 8; x++) far += map[y * 8 + x] / 16;
        Assert.True(map[0] > far * 1.3, $"RISE: {map[0]:F3} on the pixel the model reads, {far:F3} on far pixels");
        var constant = new Rise(Readout(new float[64], 3f), new() { Masks = 4000, Cells = 4, Seed = 3 }).Explain(image, Target.Class(0)).Map.AsReadOnlySpan().ToArray();
        Assert.Equal(3.0, constant.Average(), 1); // E[M] = p up to the bilinear edges and sampling (measured within 0.05)
    }

    /// <summary>flatten → linear [64 → 1] with the given weights and bias.</summary>
    private static Lumen.NN.Module Readout(float[] weights, float bias)
    {
        var linear = new Lumen.NN.Layers.Linear(64, 1);
        linear.Weight.CopyFrom(Tensor.FromArray(weights, 1, 64));
        linear.Bias!.CopyFrom(Tensor.FromArray([bias], 1));
        return new Lumen.NN.Sequential(new Lumen.NN.Layers.Flatten(), linear);
    }

    public static IEnumerable<object[]> Methods() =>
    [
        ["feature-ablation"], ["occlusion"], ["shapley-value-sampling"], ["shapley-values"], ["feature-permutation"], ["lime"], ["kernel-shap"], ["rise"],
    ];

    private static IAttributionMethod Create(string name, int? batchSize) => name switch
    {
        "feature-ablation" => new FeatureAblation(new OneConvModel(), new() { Mask = FeatureMask.Grid(2), BatchSize = batchSize, Baseline = Baseline.Constant(1f) }),
        "occlusion" => new Occlusion(new OneConvModel(), new() { Window = [2, 3], Strides = [1, 2], BatchSize = batchSize }),
        "shapley-value-sampling" => new ShapleyValueSampling(new OneConvModel(), new() { Mask = FeatureMask.Grid(2), Samples = 7, Seed = 3, BatchSize = batchSize }),
        "shapley-values" => new ShapleyValues(new OneConvModel(), new() { Mask = FeatureMask.Grid(2), BatchSize = batchSize }),
        "lime" => new Lime(new OneConvModel(), new() { Mask = FeatureMask.Grid(2), Samples = 20, Seed = 4, BatchSize = batchSize, Surrogate = LimeSurrogate.Lasso(0.01) }),
        "rise" => new Rise(new OneConvModel(), new() { Masks = 9, Cells = 2, Seed = 4, BatchSize = batchSize }),
        "kernel-shap" => new KernelShap(new OneConvModel(), new() { Mask = FeatureMask.Grid(2), Samples = 20, Seed = 4, BatchSize = batchSize }),
        _ => new FeaturePermutation(new OneConvModel(), new() { Mask = FeatureMask.Pixels, Seed = 3, BatchSize = batchSize }),
    };

    private static Tensor Input() => Tensor.Rand(new Shape(3, 1, 4, 4), seed: 7, low: 0f, high: 20f);

    [Theory]
    [MemberData(nameof(Methods))]
    public void Batched_equals_unbatched_and_seeded_runs_repeat(string name)
    {
        var target = Target.Classes([0, 1, 2]);
        var one = Create(name, 1).Explain(Input(), target).Map.AsReadOnlySpan().ToArray();
        var five = Create(name, 5).Explain(Input(), target).Map.AsReadOnlySpan().ToArray();
        var budget = Create(name, null).Explain(Input(), target).Map.AsReadOnlySpan().ToArray();
        Assert.Equal(one, five);
        Assert.Equal(one, budget);
        Assert.Contains(one, v => v != 0); // the test can fail
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Reports_progress_and_honours_cancellation(string name)
    {
        var reports = new List<double>();
        Create(name, 2).Explain(Input(), Target.Class(1), default, new SyncProgress(reports.Add));
        Assert.NotEmpty(reports);
        Assert.Equal(1.0, reports[^1], 6);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second >= p.First), "progress must not go back");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Create(name, 2).Explain(Input(), Target.Class(1), cancelled.Token));
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
