using Lumen.Attribution;
using Lumen.Attribution.Gradient;
using Lumen.Metrics.Common;
using Lumen.Metrics.Complexity;
using Lumen.Metrics.Faithfulness;
using Lumen.Metrics.Meta;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class MetaConsistencyTests
{
    private static readonly Func<Module, IAttributionMethod>[] Methods = [m => new Saliency(m), m => new InputXGradient(m)];

    /// <summary>Six samples on the seeded three-class MLP, each explained for its own predicted class.</summary>
    private static MetricInput Mlp()
    {
        var model = Toy.Mlp();
        var x = Tensor.Rand(new Shape(6, 1, 4, 4), seed: 11);
        var logits = model.Call(x).ToArray();
        var classes = Enumerable.Range(0, 6).Select(b => Statistics.ArgMax(logits.AsSpan(b * 3, 3))).ToArray();
        var target = Target.Classes(classes);
        return new MetricInput(model, x, new Saliency(model).Explain(x, target).Map, target);
    }

    [Fact]
    public void Wilcoxon_p_values_match_the_exact_distribution_and_the_normal_approximation()
    {
        double[] zeros = [0, 0, 0, 0, 0, 0];
        Assert.Equal(2.0 / 32, WilcoxonSignedRank.PValue([1, 2, 3, 4, 5], zeros[..5]), 12);          // every sign positive: 2 / 2⁵
        Assert.Equal(2.0 / 64, WilcoxonSignedRank.PValue([1, 2, 3, 4, 5, 6], zeros), 12);
        Assert.Equal(10.0 / 32, WilcoxonSignedRank.PValue([1, 2, -3, 4, 5], zeros[..5]), 12);       // T = 3: 5 of 32 subsets sum to ≤ 3
        // a zero difference: normal approximation, T = 0.5, z = −4.5 / √7.5
        Assert.Equal(0.10034824646229079, WilcoxonSignedRank.PValue([0, 1, 2, 3], [0, 0, 0, 0]), 6);
        Assert.Equal(1, WilcoxonSignedRank.PValue([2, 2, 2], [2, 2, 2]));                            // unchanged scores
        Assert.True(double.IsNaN(WilcoxonSignedRank.PValue([], [])));
    }

    [Fact]
    public void Intra_and_inter_consistency_follow_their_definitions_on_hand_made_scores()
    {
        double[][] original = [[1, 2], [3, 4]]; // [method][sample]
        var minor = new MetaConsistency.Draws([[[5, 2], [3, 4]]], [[true, true]]);
        var disruptive = new MetaConsistency.Draws([[[0, 3], [2, 4]]], [[true, true]]);
        var s = MetaConsistency.Score(original, minor, disruptive, ScoreDirection.HigherIsBetter);
        // method 0: d = (−4, 0) → p = 0.3711 (normal, zero split); method 1 unchanged → p = 1
        Assert.Equal((0.37109336952269767 + 1) / 2, s.IntraResilience, 6);
        // method 0: d = (1, −1) → p = 1; method 1: d = (1, 0) → p = 0.3711; reactivity = mean of 1 − p
        Assert.Equal((0 + 1 - 0.37109336952269767) / 2, s.IntraReactivity, 6);
        Assert.Equal(0.5, s.InterResilience, 12);  // sample 0 swaps the two methods, sample 1 keeps them
        Assert.Equal(0.5, s.InterReactivity, 12);  // better unperturbed: (m0, s0) and (m1, s0) of four pairs
        Assert.Equal((s.IntraResilience + s.IntraReactivity + 1) / 4, s.MetaConsistency, 12);
        // samples that do not count (prediction changed under the minor perturbation) are left out: nothing left → NaN
        Assert.True(double.IsNaN(MetaConsistency.Score(original, minor with { Counted = [[false, false]] }, disruptive, ScoreDirection.HigherIsBetter).InterResilience));
    }

    [Fact]
    public void A_metric_blind_to_the_input_is_fully_resilient_and_never_reactive_in_the_input_test()
    {
        // the input test keeps the maps of the unperturbed input; sparseness reads only the map
        var score = new MetaConsistency(new() { ModelTest = false, InputDisruptiveNoise = 50 }).Evaluate(new Sparseness(), Mlp(), Methods);
        Assert.Null(score.Model);
        var input = score.Input!;
        Assert.Equal(1, input.IntraResilience);
        Assert.Equal(1, input.InterResilience);
        Assert.Equal(0, input.IntraReactivity);
        Assert.Equal(0, input.InterReactivity);
        Assert.Equal(0.5, score.MetaConsistency);
    }

    [Fact]
    public void A_perturbation_that_leaves_the_model_and_input_unchanged_gives_resilience_1()
    {
        var score = new MetaConsistency(new() { ModelMinorNoise = 0, InputMinorNoise = 0 }).Evaluate(new DeletionCurve(new() { Steps = 8 }), Mlp(), Methods);
        Assert.Equal(1, score.Model!.IntraResilience);
        Assert.Equal(1, score.Model.InterResilience);
        Assert.Equal(1, score.Input!.IntraResilience);
        Assert.Equal(1, score.Input.InterResilience);
    }

    [Fact]
    public void Deletion_reacts_to_a_disruptive_model_perturbation_and_the_weights_are_restored()
    {
        var input = Mlp();
        var before = input.Model.Call(input.Input).ToArray();
        var options = new MetaConsistencyOptions { InputTest = false, Perturbations = 3, Seed = 2 };
        var score = new MetaConsistency(options).Evaluate(new DeletionCurve(new() { Steps = 8 }), input, Methods);
        Assert.Equal(before, input.Model.Call(input.Input).ToArray());
        // the destroyed model's deletion curves differ from the original ones (p-values near 0); whether they score
        // "worse" depends on the scale of its logits, so the inter-consistency is not asserted
        Assert.True(score.Model!.IntraReactivity > 0.5, $"reactivity {score.Model}");
        Assert.InRange(score.MetaConsistency, 0, 1);
        Assert.Equal(score, new MetaConsistency(options).Evaluate(new DeletionCurve(new() { Steps = 8 }), input, Methods)); // seeded
    }

    /// <summary>Counts the forward passes of one row — the memory probes of <c>ModelRunner</c> (every other pass here
    /// runs all six samples).</summary>
    private sealed class ProbeCounter : Module
    {
        public int Probes { get; private set; }

        protected override Tensor Forward(Tensor x)
        {
            if (x.Shape[0] == 1) Probes++;
            return x;
        }
    }

    [Fact]
    public void The_model_is_probed_once_for_all_draws()
    {
        // Before, each prediction pass built its own runner: 1 + 2·K (model test) + 2 (input test) probes.
        var counter = new ProbeCounter();
        var mlp = Mlp();
        var input = mlp with { Model = new Sequential(counter, mlp.Model) };
        var options = new MetaConsistencyOptions { Perturbations = 3 };
        new MetaConsistency(options).Evaluate(new Sparseness(), input, [_ => new InputMagnitude(), _ => new InputMagnitude()]);
        Assert.Equal(1, counter.Probes);
    }

    /// <summary>Deletion that claims to compare samples, so MetaConsistency scores its input draws one by one.</summary>
    private sealed class OneDrawAtATime(IMetric inner) : IMetric
    {
        public string Name => inner.Name;

        public MetricCategory Category => inner.Category;

        public ScoreDirection Direction => inner.Direction;

        public Applicability Applicability => new(DataKinds.All, MetricNeeds.SeveralSamples);

        public MetricResult Evaluate(MetricInput input, CancellationToken cancellation = default) => inner.Evaluate(input, cancellation);
    }

    [Fact]
    public void Stacked_input_draws_score_like_one_evaluation_per_draw()
    {
        var input = Mlp();
        var options = new MetaConsistencyOptions { ModelTest = false, Perturbations = 4, InputDisruptiveNoise = 50 };
        var deletion = new DeletionCurve(new() { Steps = 8 });
        var stacked = new MetaConsistency(options).Evaluate(deletion, input, Methods).Input!;
        var oneByOne = new MetaConsistency(options).Evaluate(new OneDrawAtATime(deletion), input, Methods).Input!;
        Assert.Equal(oneByOne.IntraResilience, stacked.IntraResilience, 9);
        Assert.Equal(oneByOne.IntraReactivity, stacked.IntraReactivity, 9);
        Assert.Equal(oneByOne.InterResilience, stacked.InterResilience, 9);
        Assert.Equal(oneByOne.InterReactivity, stacked.InterReactivity, 9);
        Assert.False(double.IsNaN(stacked.MetaConsistency), stacked.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetaConsistency(options with { Perturbations = 0 }).Evaluate(deletion, input, Methods));
        Assert.Throws<ArgumentException>(() => new MetaConsistency(options).Evaluate(deletion, input, []));
    }
}
