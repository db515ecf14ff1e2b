using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Faithfulness;

/// <summary>Options of <see cref="FaithfulnessCorrelation"/>.</summary>
public sealed record FaithfulnessCorrelationOptions : MetricOptions
{
    /// <summary>Random subsets drawn per sample.</summary>
    public int Runs { get; init; } = 100;

    /// <summary>Features per subset.</summary>
    public int SubsetSize { get; init; } = 224;

    /// <summary>What removed features become.</summary>
    public IReplacement Replacement { get; init; } = Functions.Replacement.Zero;
}

/// <summary>Faithfulness correlation: over random feature subsets S, the Pearson correlation between the relevance
/// of S and the drop of the target score when S is removed; 1 is perfectly faithful.</summary>
/// <remarks>μ_F = corr_S( Σ_{i∈S} a_i , f(x) − f(x_{S←x̄}) ). Bhatt, Weller, Moura, "Evaluating and aggregating
/// feature-based model explanations" (IJCAI 2020), https://arxiv.org/abs/2005.00631</remarks>
/// <example><code>var r = new FaithfulnessCorrelation(new() { Runs = 50, SubsetSize = 128 }).Evaluate(input).Value;</code></example>
public sealed class FaithfulnessCorrelation(FaithfulnessCorrelationOptions? options = null) : ScalarMetric
{
    private readonly FaithfulnessCorrelationOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "faithfulness-correlation";

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
        int samples = input.Samples, rowSize = layout.RowSize, size = Math.Clamp(options.SubsetSize, 1, layout.Features);
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var rng = new Random(options.Seed);
        var fills = new float[samples][];
        var subsets = new int[samples][][];
        var relevance = new double[samples][];
        for (int b = 0; b < samples; b++)
        {
            fills[b] = options.Replacement.Fill(x.AsSpan(b * rowSize, rowSize), layout.Channels, rng);
            subsets[b] = [.. Enumerable.Range(0, options.Runs).Select(_ => Statistics.Shuffled(layout.Features, rng)[..size])];
            var r = layout.Relevance(a.AsSpan(b * rowSize, rowSize));
            relevance[b] = [.. subsets[b].Select(s => s.Sum(f => r[f]))];
        }
        var scores = new ModelRunner(input.Model, input.Target, input.Input, options).Scores(options.Runs + 1, (v, b, row) =>
        {
            x.AsSpan(b * rowSize, rowSize).CopyTo(row);
            if (v > 0) foreach (int f in subsets[b][v - 1]) layout.Replace(row, fills[b], f);
        }, cancellation);
        return [.. Enumerable.Range(0, samples).Select(b =>
            Statistics.Pearson(relevance[b], [.. Enumerable.Range(1, options.Runs).Select(v => scores[0][b] - scores[v][b])]))];
    }
}
