using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Axiomatic;

/// <summary>Options of <see cref="Completeness"/>.</summary>
public sealed record CompletenessOptions : MetricOptions
{
    /// <summary>The baseline x′ (every feature replaced).</summary>
    public IReplacement Baseline { get; init; } = Replacement.Zero;

    /// <summary>Relative tolerance: complete when |Σa − Δf| ≤ tolerance · max(1, |Δf|).</summary>
    public double Tolerance { get; init; } = 1e-3;
}

/// <summary>Completeness: 1 if the attributions sum to the score difference between input and baseline, else 0.</summary>
/// <remarks>𝟙[ |Σᵢ aᵢ − (f(x) − f(x′))| ≤ tol · max(1, |f(x) − f(x′)|) ]. Sundararajan, Taly, Yan, "Axiomatic
/// attribution for deep networks" (ICML 2017), https://arxiv.org/abs/1703.01365</remarks>
/// <example><code>bool complete = new Completeness().Evaluate(input).Value == 1;</code></example>
public sealed class Completeness(CompletenessOptions? options = null) : ScalarMetric
{
    private readonly CompletenessOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "completeness";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Axiomatic;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.HigherIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.Any;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        int rowSize = layout.RowSize;
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var rng = new Random(options.Seed);
        var scores = new ModelRunner(input.Model, input.Target, input.Input, options).Scores(2, (v, b, row) =>
            (v == 0 ? x.AsSpan(b * rowSize, rowSize) : options.Baseline.Fill(x.AsSpan(b * rowSize, rowSize), layout.Channels, rng)).CopyTo(row), cancellation);
        return [.. Enumerable.Range(0, input.Samples).Select(b =>
        {
            double sum = 0;
            foreach (var v in a.AsSpan(b * rowSize, rowSize)) sum += v;
            double delta = scores[0][b] - scores[1][b];
            return Math.Abs(sum - delta) <= options.Tolerance * Math.Max(1, Math.Abs(delta)) ? 1.0 : 0.0;
        })];
    }
}
