using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Axiomatic;

/// <summary>Options of <see cref="NonSensitivity"/>.</summary>
public sealed record NonSensitivityOptions : MetricOptions
{
    /// <summary>A feature's attribution counts as zero when its magnitude is at most this.</summary>
    public double AttributionEpsilon { get; init; } = 1e-5;

    /// <summary>The model counts as insensitive to a feature when removing it moves the score by at most this.</summary>
    public double ScoreEpsilon { get; init; } = 1e-5;

    /// <summary>Side of the square patches tested together (1 = each pixel or feature alone).</summary>
    public int PatchSize { get; init; } = 1;

    /// <summary>What a removed feature becomes.</summary>
    public IReplacement Replacement { get; init; } = Functions.Replacement.Zero;
}

/// <summary>Non-sensitivity: how many features (or patches) get zero attribution while the model depends on them, or
/// nonzero attribution while it does not; 0 is perfect.</summary>
/// <remarks>NS = |Z △ I|, Z = {g : |Σ_{i∈g} aᵢ| ≤ ε_a}, I = {g : |f(x) − f(x_{g←x̄})| ≤ ε_f}. Nguyen, Martínez, "On
/// quantitative aspects of model interpretability" (2020), https://arxiv.org/abs/2007.07584</remarks>
/// <example><code>var violations = new NonSensitivity(new() { PatchSize = 8 }).Evaluate(input).Value;</code></example>
public sealed class NonSensitivity(NonSensitivityOptions? options = null) : ScalarMetric
{
    private readonly NonSensitivityOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "non-sensitivity";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Axiomatic;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.Any;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        int samples = input.Samples, rowSize = layout.RowSize;
        var groups = Grouping.Patches(layout, Math.Max(1, options.PatchSize));
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var rng = new Random(options.Seed);
        var fills = Enumerable.Range(0, samples).Select(b => options.Replacement.Fill(x.AsSpan(b * rowSize, rowSize), layout.Channels, rng)).ToArray();
        var scores = new ModelRunner(input.Model, input.Target, input.Input, options).Scores(groups.Length + 1, (v, b, row) =>
        {
            x.AsSpan(b * rowSize, rowSize).CopyTo(row);
            if (v > 0) foreach (int f in groups[v - 1]) layout.Replace(row, fills[b], f);
        }, cancellation);
        return [.. Enumerable.Range(0, samples).Select(b =>
        {
            var r = layout.Relevance(a.AsSpan(b * rowSize, rowSize));
            return (double)Enumerable.Range(0, groups.Length).Count(g =>
                (Math.Abs(groups[g].Sum(f => r[f])) <= options.AttributionEpsilon) != (Math.Abs(scores[0][b] - scores[g + 1][b]) <= options.ScoreEpsilon));
        })];
    }
}
