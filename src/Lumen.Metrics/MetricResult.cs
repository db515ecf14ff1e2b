namespace Lumen.Metrics;

/// <summary>The result of <see cref="IMetric.Evaluate"/>: the mean score, each sample's score and, for curve
/// metrics, each sample's curve.</summary>
/// <param name="Metric">The metric's catalog name.</param>
/// <param name="Direction">Which way the score improves.</param>
/// <param name="Value">The mean of <paramref name="PerSample"/> (NaN samples are skipped; NaN if all are).</param>
/// <param name="PerSample">One score per sample.</param>
/// <param name="Curves">One curve per sample, for curve metrics; otherwise null.</param>
public sealed record MetricResult(string Metric, ScoreDirection Direction, double Value, double[] PerSample, IReadOnlyList<Curve>? Curves = null)
{
    /// <summary>The first sample's curve, or null.</summary>
    public Curve? Curve => Curves is { Count: > 0 } c ? c[0] : null;
}
