using Lumen.Metrics.Common;

namespace Lumen.Metrics.Faithfulness;

/// <summary>
/// The shared engine of the removal curves: rank features (or patches) by relevance, change them cumulatively in
/// <see cref="PerturbationCurveOptions.Steps"/> steps, score every step in batched forward passes, and take the area
/// under the curve of target scores over the fraction changed, x ∈ [0, 1] (trapezoid rule).
/// </summary>
/// <remarks>AUC = Σₖ (xₖ − xₖ₋₁)(yₖ + yₖ₋₁)/2 with xₖ = k/Steps and yₖ = f(x with the first ⌈k·G/Steps⌉ groups
/// changed). Samek et al., "Evaluating the visualization of what a DNN has learned" (2017),
/// https://arxiv.org/abs/1509.06321; Petsiuk et al., "RISE" (2018), https://arxiv.org/abs/1806.07421</remarks>
public abstract class PerturbationCurve : CurveMetric
{
    /// <summary>Creates the curve with its options.</summary>
    protected PerturbationCurve(PerturbationCurveOptions? options)
    {
        Options = options ?? new();
        if (Options.Steps is < 1) throw new ArgumentOutOfRangeException(nameof(options), $"{GetType().Name}: Steps must be at least 1, got {Options.Steps}.");
        if (Options.PatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), $"{GetType().Name}: PatchSize must be at least 1, got {Options.PatchSize}.");
    }

    /// <summary>The options.</summary>
    public PerturbationCurveOptions Options { get; }

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Faithfulness;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.Any;

    /// <summary>True to insert features onto the replacement canvas instead of removing them from the input.</summary>
    protected abstract bool Inserts { get; }

    /// <summary>True to change square patches instead of single features.</summary>
    protected virtual bool UsesPatches => false;

    /// <summary>Removal is MoRF-good when low; insertion when high; LeRF flips both.</summary>
    public override ScoreDirection Direction =>
        (Inserts ^ Options.Order == RemovalOrder.LeastRelevantFirst) ? ScoreDirection.HigherIsBetter : ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    protected override IReadOnlyList<Curve> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        int samples = input.Samples, rowSize = layout.RowSize;
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var rng = new Random(Options.Seed);
        var groups = new int[samples][][];
        var fills = new float[samples][];
        for (int b = 0; b < samples; b++)
        {
            var relevance = layout.Relevance(a.AsSpan(b * rowSize, rowSize));
            groups[b] = Grouping.Rank(layout, relevance, UsesPatches ? Options.PatchSize : 0, Options.Order == RemovalOrder.MostRelevantFirst);
            fills[b] = Options.Replacement.Fill(x.AsSpan(b * rowSize, rowSize), layout.Channels, rng);
        }
        int groupCount = groups[0].Length, steps = Options.Steps ?? groupCount;
        int Changed(int step) => (int)Math.Ceiling((double)step * groupCount / steps);
        var runner = new ModelRunner(input.Model, input.Target, input.Input, Options);
        var scores = runner.Scores(steps + 1, (step, b, row) =>
        {
            ReadOnlySpan<float> input = x.AsSpan(b * rowSize, rowSize), fill = fills[b];
            var start = Inserts ? fill : input;
            var canvas = Inserts ? input : fill;
            start.CopyTo(row);
            for (int g = 0; g < Math.Min(Changed(step), groupCount); g++)
                foreach (int f in groups[b][g]) layout.Replace(row, canvas, f);
        }, cancellation);
        var xs = Enumerable.Range(0, steps + 1).Select(k => (double)k / steps).ToArray();
        return [.. Enumerable.Range(0, samples).Select(b =>
        {
            var ys = scores.Select(s => s[b]).ToArray();
            return new Curve(xs, ys, Statistics.Trapezoid(xs, ys));
        })];
    }
}
