using Lumen.Attribution;
using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.Metrics.Faithfulness;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class FaithfulnessTests
{
    /// <summary>f(x) = 4x₁ + 3x₂ + 2x₃ + x₄ at x = 1; Input × Gradient = (4, 3, 2, 1).</summary>
    private static MetricInput Linear()
    {
        var model = new LinearModel([4, 3, 2, 1]);
        var x = Tensor.Ones(1, 4);
        return new MetricInput(model, x, new InputXGradient(model).Explain(x, Target.Class(0)).Map, Target.Class(0));
    }

    [Fact]
    public void Deletion_on_a_linear_model_is_the_closed_form_auc()
    {
        var result = new DeletionCurve(new() { Steps = null }).Evaluate(Linear());
        Assert.Equal([10.0, 6, 3, 1, 0], result.Curve!.Y);
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1], result.Curve.X);
        Assert.Equal(0.25 * (8 + 4.5 + 2 + 0.5), result.Value, 12); // 3.75
        Assert.Equal(ScoreDirection.LowerIsBetter, result.Direction);
    }

    [Fact]
    public void Insertion_and_least_relevant_first_deletion_mirror_it()
    {
        var insertion = new InsertionCurve(new() { Steps = null }).Evaluate(Linear());
        Assert.Equal([0.0, 4, 7, 9, 10], insertion.Curve!.Y);
        Assert.Equal(6.25, insertion.Value, 12);
        Assert.Equal(ScoreDirection.HigherIsBetter, insertion.Direction);
        var lerf = new DeletionCurve(new() { Steps = null, Order = RemovalOrder.LeastRelevantFirst }).Evaluate(Linear());
        Assert.Equal([10.0, 9, 7, 4, 0], lerf.Curve!.Y);
        Assert.Equal(6.25, lerf.Value, 12);
        Assert.Equal(ScoreDirection.HigherIsBetter, lerf.Direction);
    }

    [Fact]
    public void Steps_group_features_and_chunked_forward_passes_give_the_same_curve()
    {
        var two = new DeletionCurve(new() { Steps = 2 }).Evaluate(Linear());
        Assert.Equal([10.0, 3, 0], two.Curve!.Y);
        var chunked = new DeletionCurve(new() { Steps = null, BatchSize = 1 }).Evaluate(Linear());
        Assert.Equal([10.0, 6, 3, 1, 0], chunked.Curve!.Y);
    }

    [Fact]
    public void Per_sample_targets_are_scored_per_sample()
    {
        var model = new LinearModel([1, 0, 0, 1, 2, 0, 0, 3], classes: 2); // W [4, 2]
        var x = Tensor.Ones(2, 4);
        var target = Target.Classes([0, 1]);
        var map = new InputXGradient(model).Explain(x, target).Map;
        var result = new DeletionCurve(new() { Steps = null }).Evaluate(new MetricInput(model, x, map, target));
        Assert.Equal([3.0, 1, 0, 0, 0], result.Curves![0].Y); // class 0: weights 1, 0, 2, 0
        Assert.Equal([4.0, 1, 0, 0, 0], result.Curves[1].Y);  // class 1: weights 0, 1, 0, 3
    }

    [Fact]
    public void Selectivity_with_single_pixel_patches_equals_deletion_on_an_image()
    {
        var model = new LinearModel([4, 3, 2, 1]);
        var x = Tensor.Ones(1, 1, 2, 2);
        var input = new MetricInput(model, x, new InputXGradient(model).Explain(x, Target.Class(0)).Map, Target.Class(0));
        var selectivity = new Selectivity(new() { Steps = null, PatchSize = 1 }).Evaluate(input);
        Assert.Equal([10.0, 6, 3, 1, 0], selectivity.Curve!.Y);
        var regions = new Selectivity(new() { Steps = null, PatchSize = 2 }).Evaluate(input); // one patch = everything
        Assert.Equal([10.0, 0], regions.Curve!.Y);
    }

    [Fact]
    public void Correlation_metrics_are_one_for_input_x_gradient_on_a_linear_model()
    {
        var input = Linear();
        Assert.Equal(1, new FaithfulnessCorrelation(new() { Runs = 20, SubsetSize = 2 }).Evaluate(input).Value, 9);
        Assert.Equal(1, new FaithfulnessEstimate().Evaluate(input).Value, 9);
        var n = new SensitivityN(new() { SubsetSizes = [1, 2, 3], Runs = 20 }).Evaluate(input);
        Assert.Equal([1.0, 2, 3], n.Curve!.X);
        Assert.All(n.Curve.Y, y => Assert.Equal(1, y, 9));
    }

    [Fact]
    public void Faithfulness_estimate_is_minus_one_for_a_reversed_map()
    {
        var input = Linear() with { Attribution = Tensor.FromArray([1f, 2, 3, 4], 1, 4) };
        Assert.Equal(-1, new FaithfulnessEstimate().Evaluate(input).Value, 9);
    }

    [Fact]
    public void Monotonicity_holds_for_positive_weights_and_fails_with_a_negative_one()
    {
        Assert.Equal(1, new Monotonicity().Evaluate(Linear()).Value);
        var model = new LinearModel([4, -3, 2, 1]);
        var x = Tensor.Ones(1, 4);
        var input = new MetricInput(model, x, Tensor.FromArray([4f, 3, 2, 1], 1, 4), Target.Class(0)); // claims x₂ helps
        Assert.Equal(0, new Monotonicity().Evaluate(input).Value);
    }

    [Fact]
    public void Irof_is_one_minus_the_area_under_the_relative_curve()
    {
        var result = new Irof(new() { SegmentSize = 1, Replacement = Functions.Replacement.Zero }).Evaluate(Linear());
        Assert.Equal([1.0, 0.6, 0.3, 0.1, 0], result.Curve!.Y.Select(y => Math.Round(y, 12)));
        Assert.Equal(1 - 0.25 * (0.8 + 0.45 + 0.2 + 0.05), result.Value, 12); // 0.625
    }

    [Fact]
    public void Road_keeps_the_prediction_of_a_model_that_cannot_change_its_mind()
    {
        var model = new LinearModel([0, 1, 0, 1, 0, 1, 0, 1], classes: 2); // outputs [0, Σx]: class 1 wins for any positive image
        var x = Tensor.Full(new Shape(1, 1, 2, 2), 5f);
        var input = new MetricInput(model, x, Tensor.FromArray([4f, 3, 2, 1], 1, 1, 2, 2), Target.Class(1));
        var result = new Road(new() { Percentages = [0.25, 0.5, 0.75], NoiseSigma = 0 }).Evaluate(input);
        Assert.Equal([1.0, 1, 1], result.Curve!.Y);
        Assert.Equal(1, result.Value);
    }

    [Fact]
    public void Infidelity_is_zero_for_the_gradient_of_a_linear_model_under_noise()
    {
        var model = new LinearModel([4, -3, 2, 1]);
        var x = Tensor.FromArray([0.5f, -1, 2, 1], 1, 4);
        var gradient = new Saliency(model, new() { Absolute = false }).Explain(x, Target.Class(0)).Map;
        Assert.Equal(0, new Infidelity(new() { Runs = 10 }).Evaluate(new MetricInput(model, x, gradient, Target.Class(0))).Value, 9);
        // Input × Gradient predicts a·I = Σ wᵢxᵢIᵢ instead of Σ wᵢIᵢ: not zero
        var ixg = new InputXGradient(model).Explain(x, Target.Class(0)).Map;
        Assert.True(new Infidelity(new() { Runs = 10 }).Evaluate(new MetricInput(model, x, ixg, Target.Class(0))).Value > 1e-3);
    }

    [Fact]
    public void Infidelity_with_the_baseline_perturbation_is_integrated_gradients_completeness_error_squared()
    {
        var model = new BasicModel2();
        var x = Tensor.FromArray([3f, 1], 1, 2);
        // f(αx) = ReLU(2α − 1): midpoints of 4 steps straddle the kink symmetrically, so IG = (1.5, −0.5) exactly
        var ig = new IntegratedGradients(model, new() { Steps = 4, Quadrature = Quadrature.RiemannMiddle }).Explain(x, Target.Class(0)).Map;
        Assert.Equal([1.5f, -0.5f], ig.ToArray());
        var options = new InfidelityOptions { Perturbation = InfidelityPerturbation.Baseline, MultipliedByInputs = true };
        // without the input scaling, a·(x − 0) = 1.5·3 − 0.5·1 = 4 predicts a drop of 4 for the actual 1
        Assert.Equal(9, new Infidelity(options with { MultipliedByInputs = false }).Evaluate(new MetricInput(model, x, ig, Target.Class(0))).Value, 12);
        Assert.Equal(0, new Infidelity(options).Evaluate(new MetricInput(model, x, ig, Target.Class(0))).Value);
        var ixg = new InputXGradient(model).Explain(x, Target.Class(0)).Map; // (3, −1): sums to 2, f(x) − f(0) = 1
        Assert.Equal(1, new Infidelity(options).Evaluate(new MetricInput(model, x, ixg, Target.Class(0))).Value, 12);
    }

    [Fact]
    public void Sufficiency_counts_same_predictions_among_close_explanations()
    {
        // classes by sign of x₁ − x₂; samples 0, 1 share an explanation and a class; sample 2 shares sample 0's
        // explanation but not its class; sample 3 is alone.
        var model = new LinearModel([1, -1, -1, 1], classes: 2);
        var x = Tensor.FromArray([2f, 0, 3, 0, 0, 2, 1, 1], 4, 2);
        var maps = Tensor.FromArray([1f, 0, 1, 0, 1, 0, 0, 1], 4, 2);
        var result = new Sufficiency(new() { Threshold = 0.1 }).Evaluate(new MetricInput(model, x, maps, Target.Class(0)));
        Assert.Equal([0.5, 0.5, 0, 0], result.PerSample);
    }
}
