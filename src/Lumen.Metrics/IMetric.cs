namespace Lumen.Metrics;

/// <summary>A metric of explanation quality, with the metadata reports and catalogs enumerate.</summary>
public interface IMetric
{
    /// <summary>Kebab-case catalog name, e.g. <c>deletion</c>.</summary>
    string Name { get; }

    /// <summary>The family the metric belongs to.</summary>
    MetricCategory Category { get; }

    /// <summary>Which way its score improves.</summary>
    ScoreDirection Direction { get; }

    /// <summary>What it applies to and what it needs.</summary>
    Applicability Applicability { get; }

    /// <summary>Scores the attributions of <paramref name="input"/>; stores nothing.</summary>
    MetricResult Evaluate(MetricInput input, CancellationToken cancellation = default);
}
