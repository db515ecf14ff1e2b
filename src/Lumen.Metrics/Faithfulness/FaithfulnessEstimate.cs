using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Faithfulness;

/// <summary>Options of <see cref="FaithfulnessEstimate"/>.</summary>
public sealed record FaithfulnessEstimateOptions : MetricOptions
{
    /// <summary>Features removed together (consecutive in relevance order).</summary>
    public int FeaturesPerStep { get; init; } = 1;

    /// <summary>What removed features become.</summary>
    public IReplacement Replacement { get; init; } = Functions.Replacement.Zero;
}

/// <summary>Faithfulness estimate: the Pearson correlation between each feature group's relevance and the drop of
/// the target score when that group alone is removed.</summary>
/// <remarks>ρ = corr_g( Σ_{i∈g} a_i , f(x) − f(x_{g←x̄}) ). Alvarez-Melis, Jaakkola, "Towards robust interpretability
/// with self-explaining neural networks" (NeurIPS 2018), https://arxiv.org/abs/1806.07538</remarks>
/// <example><code>var r = new FaithfulnessEstimate(new() { FeaturesPerStep = 224 }).Evaluate(input).Value;</code></example>
public sealed class FaithfulnessEstimate(FaithfulnessEstimateOptions? options = null) : ScalarMetric
{
    private readonly FaithfulnessEstimateOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "faithfulness-estimate";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Faithfulness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.HigherIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.Any;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        int samples = input.Samples, rowSize = layout.RowSize, per = Math.Max(1, options.FeaturesPerStep);
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var rng = new Random(options.Seed);
        var groups = new int[samples][][];
        var relevance = new double[samples][];
        var fills = new float[samples][];
        for (int b = 0; b < samples; b++)
        {
            var r = layout.Relevance(a.AsSpan(b * rowSize, rowSize));
            var order = Statistics.Descending(r);
            groups[b] = [.. order.Chunk(per)];
            relevance[b] = [.. groups[b].Select(g => g.Sum(f => r[f]))];
            fills[b] = options.Replacement.Fill(x.AsSpan(b * rowSize, rowSize), layout.Channels, rng);
        }
        int count = groups[0].Length;
        var scores = new ModelRunner(input.Model, input.Target, input.Input, options).Scores(count + 1, (v, b, row) =>
        {
            x.AsSpan(b * rowSize, rowSize).CopyTo(row);
            if (v > 0) foreach (int f in groups[b][v - 1]) layout.Replace(row, fills[b], f);
        }, cancellation);
        return [.. Enumerable.Range(0, samples).Select(b =>
            Statistics.Pearson(relevance[b], [.. Enumerable.Range(1, count).Select(v => scores[0][b] - scores[v][b])]))];
    }
}
