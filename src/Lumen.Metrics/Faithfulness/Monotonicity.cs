using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Faithfulness;

/// <summary>Options of <see cref="Monotonicity"/>.</summary>
public sealed record MonotonicityOptions : MetricOptions
{
    /// <summary>Features added together per step.</summary>
    public int FeaturesPerStep { get; init; } = 1;

    /// <summary>The canvas features are added onto.</summary>
    public IReplacement Replacement { get; init; } = Functions.Replacement.Zero;
}

/// <summary>Monotonicity (Arya et al.): add features to the canvas from least to most relevant; the explanation is
/// monotonic (1) if the target score never decreases, else 0.</summary>
/// <remarks>score = 𝟙[ f(x₀) ≤ f(x₁) ≤ … ≤ f(x_G) ], xₖ = canvas with the k least relevant groups of x.
/// Arya et al., "One explanation does not fit all" (2019), https://arxiv.org/abs/1909.03012</remarks>
/// <example><code>bool monotonic = new Monotonicity().Evaluate(input).PerSample[0] == 1;</code></example>
public sealed class Monotonicity(MonotonicityOptions? options = null) : ScalarMetric
{
    private readonly MonotonicityOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "monotonicity";

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
        var fills = new float[samples][];
        for (int b = 0; b < samples; b++)
        {
            var r = layout.Relevance(a.AsSpan(b * rowSize, rowSize));
            groups[b] = [.. Statistics.Descending([.. r.Select(v => -v)]).Chunk(per)];
            fills[b] = options.Replacement.Fill(x.AsSpan(b * rowSize, rowSize), layout.Channels, rng);
        }
        int count = groups[0].Length;
        var scores = new ModelRunner(input.Model, input.Target, input.Input, options).Scores(count + 1, (v, b, row) =>
        {
            fills[b].CopyTo(row);
            for (int g = 0; g < v; g++) foreach (int f in groups[b][g]) layout.Replace(row, x.AsSpan(b * rowSize, rowSize), f);
        }, cancellation);
        return [.. Enumerable.Range(0, samples).Select(b =>
            Enumerable.Range(1, count).All(v => scores[v][b] >= scores[v - 1][b]) ? 1.0 : 0.0)];
    }
}
