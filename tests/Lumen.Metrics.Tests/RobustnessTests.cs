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
    /// <summary>Counts Explain calls and the rows they receive.</summary>
    private sealed class CountingExplainer(IAttributionMethod inner) : IAttributionMethod
    {
        public int Calls { get; private set; }

        public int Rows { get; private set; }

        public string Name => inner.Name;

        public Attribution.Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
        {
            Calls++;
            Rows += input.Shape[0];
            return inner.Explain(input, target, cancellation, progress);
        }
    }

    public static TheoryData<string> ReExplainingMetrics => ["max-sensitivity", "avg-sensitivity", "local-lipschitz-estimate", "continuity",
        "relative-input-stability", "relative-output-stability", "relative-representation-stability"];

    private static IMetric Robustness(string name, int? batchSize) => name switch
    {
        "max-sensitivity" => new MaxSensitivity(new() { Runs = 5, Seed = 4, BatchSize = batchSize }),
        "avg-sensitivity" => new AvgSensitivity(new() { Runs = 5, Seed = 4, BatchSize = batchSize }),
        "local-lipschitz-estimate" => new LocalLipschitzEstimate(new() { Runs = 5, Seed = 4, Noise = Functions.Noise.Gaussian(0.1f), BatchSize = batchSize }),
        "continuity" => new Continuity(new() { Steps = 3, BatchSize = batchSize }),
        "relative-input-stability" => new RelativeInputStability(new() { Runs = 5, Seed = 4, BatchSize = batchSize }),
        "relative-output-stability" => new RelativeOutputStability(new() { Runs = 5, Seed = 4, BatchSize = batchSize }),
        _ => new RelativeRepresentationStability(new() { Runs = 5, Seed = 4, BatchSize = batchSize }),
    };

    [Theory]
    [MemberData(nameof(ReExplainingMetrics))]
    public void Stacking_every_perturbation_draw_into_one_explain_call_gives_the_scores_of_one_call_per_draw(string name)
    {
        // a nonlinear MLP, per-sample classes (the stacked target is tiled) and Integrated Gradients (a batched method)
        var model = Toy.Mlp();
        var x = Tensor.Rand(new Shape(3, 1, 4, 4), seed: 7);
        var target = Target.Classes([0, 2, 1]);
        CountingExplainer? last = null;
        Func<Module, IAttributionMethod> explainer = m => last = new CountingExplainer(new IntegratedGradients(m, new() { Steps = 8 }));
        var input = new MetricInput(model, x, new IntegratedGradients(model, new() { Steps = 8 }).Explain(x, target).Map, target) { Explainer = explainer };

        var oneByOne = Robustness(name, batchSize: 3).Evaluate(input); // a batch size of B rows: one copy per call
        int draws = last!.Calls;
        Assert.Equal(name == "continuity" ? 3 : 5, draws);
        Assert.Equal(3 * draws, last.Rows);
        var batched = Robustness(name, batchSize: null).Evaluate(input);
        Assert.Equal(1, last.Calls); // all draws of all samples in one call
        Assert.Equal(3 * draws, last.Rows);

        Assert.Equal(oneByOne.PerSample.Length, batched.PerSample.Length);
        Assert.Contains(oneByOne.PerSample, double.IsFinite);
        AssertClose(oneByOne.PerSample, batched.PerSample);
        // two copies per call: chunked, same scores
        var chunked = Robustness(name, batchSize: 6).Evaluate(input);
        Assert.Equal((draws + 1) / 2, last.Calls);
        AssertClose(oneByOne.PerSample, chunked.PerSample);
    }

    [Fact]
    public void A_one_channel_cam_map_of_stacked_draws_is_split_back_per_draw()
    {
        // Grad-CAM maps are [rows, 1, H, W]: each stacked draw's map must broadcast over the channels of its own rows
        var rng = new Random(3);
        var model = new Lumen.NN.Sequential(new Lumen.NN.Layers.Conv2d(2, 4, 3, padding: 1, rng: rng), new Lumen.NN.Layers.Relu(),
            new Lumen.NN.Layers.AdaptiveAvgPool2d(1), new Lumen.NN.Layers.Flatten(), new Lumen.NN.Layers.Linear(4, 3, rng: rng));
        model.Eval();
        var x = Tensor.Rand(new Shape(2, 2, 6, 6), seed: 9);
        var target = Target.Classes([0, 2]);
        Func<Module, IAttributionMethod> explainer = m => new Lumen.Attribution.Cam.GradCam(m);
        var input = new MetricInput(model, x, explainer(model).Explain(x, target).Map, target) { Explainer = explainer };
        var oneByOne = new AvgSensitivity(new() { Runs = 4, BatchSize = 2 }).Evaluate(input);
        var batched = new AvgSensitivity(new() { Runs = 4 }).Evaluate(input);
        Assert.Contains(oneByOne.PerSample, v => v > 0);
        AssertClose(oneByOne.PerSample, batched.PerSample);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int b = 0; b < expected.Length; b++)
            if (double.IsNaN(expected[b])) Assert.True(double.IsNaN(actual[b]), $"sample {b}: expected NaN, got {actual[b]}");
            else Assert.Equal(expected[b], actual[b], 4e-5 * Math.Max(1, Math.Abs(expected[b])));
    }
}
