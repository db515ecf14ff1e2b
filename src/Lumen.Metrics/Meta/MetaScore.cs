namespace Lumen.Metrics.Meta;

/// <summary>How far a metric can be trusted on one model and data: its score, how little it moves when the
/// explanation is perturbed a little, and how much it moves when the explanation is replaced by a randomised one.</summary>
/// <param name="Metric">The metric's catalog name.</param>
/// <param name="Score">The metric's mean score on the unperturbed explanations.</param>
/// <param name="NoiseResilience">1 − the mean relative score change under minor noise on the map (1 = unmoved).</param>
/// <param name="Reactivity">The mean relative score change when the map is randomly permuted (0 = blind to it).</param>
public sealed record MetaScore(string Metric, double Score, double NoiseResilience, double Reactivity)
{
    /// <summary>True when the metric reacts to a randomised explanation at least twice as much as to minor noise (and
    /// reacts at all): its differences between methods mean something on this model.</summary>
    public bool Trusted => Reactivity > 0 && Reactivity >= 2 * (1 - NoiseResilience);
}
