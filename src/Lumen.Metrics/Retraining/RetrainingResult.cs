namespace Lumen.Metrics.Retraining;

/// <summary>The result of <see cref="RemoveAndRetrain.Evaluate"/>: the unmodified model's accuracy and one curve per
/// method and mode.</summary>
/// <param name="Fractions">The fractions k of features replaced (ROAR) or kept (KAR).</param>
/// <param name="BaseAccuracy">Test accuracy of the model trained on unmodified data (the curves' k = 0 for ROAR).</param>
/// <param name="Curves">Every method's curve for every mode, the random ranking included.</param>
public sealed record RetrainingResult(double[] Fractions, double BaseAccuracy, IReadOnlyList<RetrainingCurve> Curves)
{
    /// <summary>The curve of <paramref name="method"/> in <paramref name="mode"/>.</summary>
    public RetrainingCurve Curve(string method, RetrainingMode mode) =>
        Curves.FirstOrDefault(c => c.Method == method && c.Mode == mode)
        ?? throw new ArgumentException($"No {mode} curve for '{method}'. Curves: {string.Join(", ", Curves.Select(c => $"{c.Method} ({c.Mode})"))}.");

    /// <summary>Which way the score of a mode's curves improves.</summary>
    public static ScoreDirection Direction(RetrainingMode mode) => mode == RetrainingMode.Remove ? ScoreDirection.LowerIsBetter : ScoreDirection.HigherIsBetter;
}
