namespace Lumen.Metrics;

/// <summary>One sample's curve (deletion, insertion, randomisation layers …) and the score drawn from it.</summary>
/// <param name="X">Abscissae, e.g. the fraction of features removed, or layer names' positions.</param>
/// <param name="Y">Ordinates, e.g. the target score after each removal step.</param>
/// <param name="Score">The sample's score (e.g. the area under the curve).</param>
/// <param name="Labels">Optional label per point (layer names of a randomisation curve).</param>
public sealed record Curve(double[] X, double[] Y, double Score, string[]? Labels = null);
