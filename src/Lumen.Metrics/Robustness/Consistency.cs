using Lumen.Metrics.Common;

namespace Lumen.Metrics.Robustness;

/// <summary>Consistency: among the other samples whose discretised explanations (the set of their K most relevant
/// pixels) equal this one's, the fraction predicted as the same class; NaN when no other sample shares it. Needs a
/// batch of several samples.</summary>
/// <remarks>Cᵢ = P(ŷⱼ = ŷᵢ | D(aⱼ) = D(aᵢ), j ≠ i), D(a) = top_K(a). Dasgupta, Frost, Moshkovitz, "Framework for
/// evaluating faithfulness of local explanations" (ICML 2022), https://arxiv.org/abs/2202.00734</remarks>
/// <example><code>var c = new Consistency(topK: 10).Evaluate(batchInput).Value;</code></example>
public sealed class Consistency(int topK = 10) : ScalarMetric
{
    /// <summary>Pixels in the discretised explanation.</summary>
    public int TopK { get; } = topK >= 1 ? topK : throw new ArgumentOutOfRangeException(nameof(topK), $"Consistency: topK must be at least 1, got {topK}.");

    /// <inheritdoc/>
    public override string Name => "consistency";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Robustness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.HigherIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability { get; } = new(DataKinds.All, MetricNeeds.SeveralSamples);

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        int samples = input.Samples, rowSize = layout.RowSize;
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var keys = Enumerable.Range(0, samples).Select(b =>
            string.Join(",", Statistics.Descending(layout.Relevance(a.AsSpan(b * rowSize, rowSize))).Take(TopK).Order())).ToArray();
        var (_, predictions) = new ModelRunner(input.Model, input.Target, input.Input, new Faithfulness.SufficiencyOptions())
            .ScoresAndPredictions(1, (_, b, row) => x.AsSpan(b * rowSize, rowSize).CopyTo(row), cancellation);
        return [.. Enumerable.Range(0, samples).Select(i =>
        {
            var same = Enumerable.Range(0, samples).Where(j => j != i && keys[j] == keys[i]).ToArray();
            return same.Length == 0 ? double.NaN : (double)same.Count(j => predictions[0][j] == predictions[0][i]) / same.Length;
        })];
    }
}
