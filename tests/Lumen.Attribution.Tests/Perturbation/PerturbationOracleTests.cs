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
        Assert.Equal([80f, 200f, 120f], map.AsSpan().ToArray());
    }

    [Fact]
    public void FeatureAblation_with_a_user_mask_gives_each_group_its_drop()
    {
        var mask = FeatureMask.Of(Tensor.FromArray([0f, 1f, 0f], 1, 3));
        var map = new FeatureAblation(new MultiLayerModel(), new() { Mask = mask }).Explain(X, Target.Class(0)).Map;
        Assert.Equal([200f, 200f, 200f], map.AsSpan().ToArray()); // 392 − f({50}) = 392 − 192; 392 − f({20, 30}) = 200
    }

    [Fact]
    public void ShapleyValues_are_exact_and_efficient()
    {
        var result = new ShapleyValues(new MultiLayerModel()).Explain(X, Target.Class(0));
        // φᵢ = 4xᵢ − 10/3: the −10 of the first feature added is shared equally.
        var expected = new[] { 80 - 10 / 3.0, 200 - 10 / 3.0, 120 - 10 / 3.0 };
        var map = result.Map.AsSpan();
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], map[i], 4);
        Assert.Equal(390.0, map[0] + (double)map[1] + map[2], 4);
        Assert.Equal(0f, result.Delta!.AsSpan()[0], 4);
    }

    [Fact]
    public void ShapleyValueSampling_matches_Captum_and_is_efficient()
    {
        var result = new ShapleyValueSampling(new MultiLayerModel(), new() { Samples = 250, Seed = 1 }).Explain(X, Target.Class(0));
        var map = result.Map.AsSpan();
        double[] captum = [76.67, 196.67, 116.67];
        for (int i = 0; i < 3; i++) Assert.InRange(map[i], captum[i] - 1.0, captum[i] + 1.0); // ±10·(sampling error of 1/3)
        Assert.Equal(0f, result.Delta!.AsSpan()[0], 4); // the marginals telescope in every order
    }

    [Fact]
    public void ShapleyValueSampling_converges_to_the_exact_values()
    {
        var model = new MultiLayerModel();
        var exact = new ShapleyValues(model).Explain(X, Target.Class(0)).Map.AsSpan().ToArray();
        var sampled = new ShapleyValueSampling(model, new() { Samples = 4000, Seed = 2 }).Explain(X, Target.Class(0)).Map.AsSpan().ToArray();
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
        var map = new FeaturePermutation(model, options).Explain(batch, Target.Class(0)).Map.AsSpan().ToArray();
        var rng = new Random(5);
        var x = batch.AsSpan().ToArray();
        for (int i = 0; i < 3; i++)
        {
            var permutation = Enumerable.Range(0, 4).ToArray();
            rng.Shuffle(permutation);
            for (int b = 0; b < 4; b++) Assert.Equal(w[i] * (x[b * 3 + i] - x[permutation[b] * 3 + i]), map[b * 3 + i], 4);
        }
        Assert.Throws<ArgumentException>(() => new FeaturePermutation(model).Explain(Tensor.Zeros(1, 3), Target.Class(0)));
    }

    public static IEnumerable<object[]> Methods() =>
    [
        ["feature-ablation"], ["occlusion"], ["shapley-value-sampling"], ["shapley-values"], ["feature-permutation"],
    ];

    private static IAttributionMethod Create(string name, int? batchSize) => name switch
    {
        "feature-ablation" => new FeatureAblation(new OneConvModel(), new() { Mask = FeatureMask.Grid(2), BatchSize = batchSize, Baseline = Baseline.Constant(1f) }),
        "occlusion" => new Occlusion(new OneConvModel(), new() { Window = [2, 3], Strides = [1, 2], BatchSize = batchSize }),
        "shapley-value-sampling" => new ShapleyValueSampling(new OneConvModel(), new() { Mask = FeatureMask.Grid(2), Samples = 7, Seed = 3, BatchSize = batchSize }),
        "shapley-values" => new ShapleyValues(new OneConvModel(), new() { Mask = FeatureMask.Grid(2), BatchSize = batchSize }),
        _ => new FeaturePermutation(new OneConvModel(), new() { Mask = FeatureMask.Pixels, Seed = 3, BatchSize = batchSize }),
    };

    private static Tensor Input() => Tensor.Rand(new Shape(3, 1, 4, 4), seed: 7, low: 0f, high: 20f);

    [Theory]
    [MemberData(nameof(Methods))]
    public void Batched_equals_unbatched_and_seeded_runs_repeat(string name)
    {
        var target = Target.Classes([0, 1, 2]);
        var one = Create(name, 1).Explain(Input(), target).Map.AsSpan().ToArray();
        var five = Create(name, 5).Explain(Input(), target).Map.AsSpan().ToArray();
        var budget = Create(name, null).Explain(Input(), target).Map.AsSpan().ToArray();
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
