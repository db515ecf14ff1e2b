using Lumen.Metrics;
using Lumen.Metrics.Meta;

namespace Lumen.Reports.Evaluate;

/// <summary>One method × metric cell of an evaluation.</summary>
/// <param name="Method">The method's catalog name.</param>
/// <param name="Metric">The metric's catalog name.</param>
/// <param name="Result">The metric's result over all images, or null when it did not run.</param>
/// <param name="Seconds">Time the metric took.</param>
/// <param name="Error">Why it did not run (e.g. no masks given), or null.</param>
public sealed record MetricCell(string Method, string Metric, MetricResult? Result, double Seconds, string? Error);

/// <summary>A metric of the evaluation with its catalog entry and its direction.</summary>
/// <param name="Info">The catalog entry.</param>
/// <param name="Direction">Which way its score improves.</param>
public sealed record EvaluatedMetric(MetricInfo Info, ScoreDirection Direction);

/// <summary>The result of <see cref="EvaluateJob.Run"/>.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Images">Image names, in batch order.</param>
/// <param name="Targets">The explained class per image, with its label.</param>
/// <param name="Methods">The methods (catalog names and display names).</param>
/// <param name="Metrics">The metrics.</param>
/// <param name="Cells">Every method × metric cell.</param>
/// <param name="ExplainSeconds">Time each method took to explain the batch.</param>
/// <param name="Created">When the evaluation ran (UTC).</param>
public sealed record EvaluateReport(string Model, IReadOnlyList<string> Images, IReadOnlyList<(int Index, string Label)> Targets,
    IReadOnlyList<(string Name, string DisplayName)> Methods, IReadOnlyList<EvaluatedMetric> Metrics, IReadOnlyList<MetricCell> Cells,
    IReadOnlyDictionary<string, double> ExplainSeconds, DateTime Created)
{
    /// <summary>Per metric, its meta-evaluation averaged over the methods (empty unless requested).</summary>
    public IReadOnlyList<MetaScore> Meta { get; init; } = [];

    /// <summary>Per metric, the MetaQuantus model and input perturbation tests over all methods (empty unless
    /// requested).</summary>
    public IReadOnlyList<MetaConsistencyScore> MetaConsistency { get; init; } = [];

    /// <summary>The per-method options the methods ran with (none: every method used its defaults).</summary>
    public IReadOnlyList<Lumen.Attribution.MethodSetting> Settings { get; init; } = [];

    /// <summary>The cell of <paramref name="method"/> and <paramref name="metric"/>.</summary>
    public MetricCell Cell(string method, string metric) => Cells.First(c => c.Method == method && c.Metric == metric);

    /// <summary>The methods' ranks on <paramref name="metric"/> (1 = best, by the metric's direction; ties share the
    /// better rank); methods without a finite score get none.</summary>
    public IReadOnlyDictionary<string, int> Ranks(EvaluatedMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var scored = Methods.Select(m => (m.Name, Value: Cell(m.Name, metric.Info.Name).Result?.Value ?? double.NaN))
            .Where(s => double.IsFinite(s.Value)).ToList();
        var ranks = new Dictionary<string, int>();
        foreach (var (name, value) in scored)
            ranks[name] = 1 + scored.Count(o => metric.Direction == ScoreDirection.HigherIsBetter ? o.Value > value : o.Value < value);
        return ranks;
    }

    /// <summary>Each method's mean rank over the metrics that ranked it (lower is better), best first.</summary>
    public IReadOnlyList<(string Method, double MeanRank, int Metrics)> Overall()
    {
        var all = Metrics.Select(Ranks).ToList();
        return [.. Methods.Select(m =>
        {
            var ranks = all.Where(r => r.ContainsKey(m.Name)).Select(r => (double)r[m.Name]).ToList();
            return (m.Name, ranks.Count == 0 ? double.NaN : ranks.Average(), ranks.Count);
        }).OrderBy(r => double.IsNaN(r.Item2) ? double.MaxValue : r.Item2).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }
}
