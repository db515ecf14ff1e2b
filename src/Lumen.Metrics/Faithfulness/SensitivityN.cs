using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Faithfulness;

/// <summary>Options of <see cref="SensitivityN"/>.</summary>
public sealed record SensitivityNOptions : MetricOptions
{
    /// <summary>Subset sizes n; null = powers of two from 1 up to half the features (at most 10 sizes).</summary>
    public int[]? SubsetSizes { get; init; }

    /// <summary>Random subsets per size.</summary>
    public int Runs { get; init; } = 50;

    /// <summary>What removed features become.</summary>
    public IReplacement Replacement { get; init; } = Functions.Replacement.Zero;
}

/// <summary>Sensitivity-n: for each subset size n, the Pearson correlation between the relevance of random n-feature
/// subsets and the score drop their removal causes; the curve over n and its mean.</summary>
/// <remarks>Sₙ = corr_{|S|=n}( Σ_{i∈S} a_i , f(x) − f(x_{S←x̄}) ). Ancona et al., "Towards better understanding of
/// gradient-based attribution methods for deep neural networks" (ICLR 2018), https://arxiv.org/abs/1711.06104</remarks>
/// <example><code>var curve = new SensitivityN().Evaluate(input).Curve; // x = n, y = correlation</code></example>
public sealed class SensitivityN(SensitivityNOptions? options = null) : CurveMetric
{
    private readonly SensitivityNOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "sensitivity-n";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Faithfulness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.HigherIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.Any;

    /// <inheritdoc/>
    protected override IReadOnlyList<Curve> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        int samples = input.Samples, rowSize = layout.RowSize, runs = options.Runs;
        var sizes = options.SubsetSizes ?? [.. Enumerable.Range(0, 10).Select(k => 1 << k).Where(n => n <= Math.Max(1, layout.Features / 2))];
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var rng = new Random(options.Seed);
        var fills = new float[samples][];
        var subsets = new int[samples][][];
        var relevance = new double[samples][];
        for (int b = 0; b < samples; b++)
        {
            fills[b] = options.Replacement.Fill(x.AsSpan(b * rowSize, rowSize), layout.Channels, rng);
            subsets[b] = [.. sizes.SelectMany(n => Enumerable.Range(0, runs).Select(_ => Statistics.Shuffled(layout.Features, rng)[..Math.Clamp(n, 1, layout.Features)]))];
            var r = layout.Relevance(a.AsSpan(b * rowSize, rowSize));
            relevance[b] = [.. subsets[b].Select(s => s.Sum(f => r[f]))];
        }
        var scores = new ModelRunner(input.Model, input.Target, input.Input, options).Scores(subsets[0].Length + 1, (v, b, row) =>
        {
            x.AsSpan(b * rowSize, rowSize).CopyTo(row);
            if (v > 0) foreach (int f in subsets[b][v - 1]) layout.Replace(row, fills[b], f);
        }, cancellation);
        return [.. Enumerable.Range(0, samples).Select(b =>
        {
            var ys = sizes.Select((_, k) => Statistics.Pearson(relevance[b][(k * runs)..((k + 1) * runs)],
                [.. Enumerable.Range(k * runs + 1, runs).Select(v => scores[0][b] - scores[v][b])])).ToArray();
            return new Curve([.. sizes.Select(n => (double)n)], ys, Statistics.FiniteMean(ys));
        })];
    }
}
