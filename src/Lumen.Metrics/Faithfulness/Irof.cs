using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Faithfulness;

/// <summary>Options of <see cref="Irof"/>.</summary>
public sealed record IrofOptions : MetricOptions
{
    /// <summary>Side of the square segments (pixels). The paper uses superpixels; Lumen uses a regular grid so the
    /// metric needs no segmentation library and stays deterministic.</summary>
    public int SegmentSize { get; init; } = 16;

    /// <summary>What removed segments become (the paper: the mean value).</summary>
    public IReplacement Replacement { get; init; } = Functions.Replacement.ChannelMean;
}

/// <summary>Iterative removal of features (IROF): remove segments by decreasing mean relevance and measure the area
/// over the curve of the target score relative to the original; high is good.</summary>
/// <remarks>yₖ = f(xₖ)/f(x) after removing the k most relevant segments (ranked by mean relevance);
/// IROF = 1 − AUC(y) over k/K ∈ [0, 1]. Rieger, Hansen, "IROF: a low resource evaluation metric for explanation
/// methods" (2020), https://arxiv.org/abs/2003.08747. Use a probability target so f(x) &gt; 0.</remarks>
/// <example><code>var aoc = new Irof().Evaluate(new MetricInput(model, x, map, Target.Probability(207))).Value;</code></example>
public sealed class Irof(IrofOptions? options = null) : CurveMetric
{
    private readonly IrofOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "irof";

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
        int samples = input.Samples, rowSize = layout.RowSize;
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var rng = new Random(options.Seed);
        var segments = Grouping.Patches(layout, Math.Max(1, options.SegmentSize));
        var order = new int[samples][];
        var fills = new float[samples][];
        for (int b = 0; b < samples; b++)
        {
            var r = layout.Relevance(a.AsSpan(b * rowSize, rowSize));
            order[b] = Statistics.Descending([.. segments.Select(s => s.Average(f => r[f]))]);
            fills[b] = options.Replacement.Fill(x.AsSpan(b * rowSize, rowSize), layout.Channels, rng);
        }
        int count = segments.Length;
        var scores = new ModelRunner(input.Model, input.Target, input.Input, options).Scores(count + 1, (v, b, row) =>
        {
            x.AsSpan(b * rowSize, rowSize).CopyTo(row);
            for (int k = 0; k < v; k++) foreach (int f in segments[order[b][k]]) layout.Replace(row, fills[b], f);
        }, cancellation);
        var xs = Enumerable.Range(0, count + 1).Select(k => (double)k / count).ToArray();
        return [.. Enumerable.Range(0, samples).Select(b =>
        {
            var ys = scores.Select(s => s[b] / scores[0][b]).ToArray();
            return new Curve(xs, ys, 1 - Statistics.Trapezoid(xs, ys));
        })];
    }
}
