namespace Lumen.Metrics.Retraining;

/// <summary>Test accuracy of models retrained on data modified by one ranking, per fraction.</summary>
/// <param name="Method">The attribution method's name, or <c>random</c> for the random ranking.</param>
/// <param name="Mode">Remove (ROAR) or keep (KAR).</param>
/// <param name="Accuracy">Test accuracy per fraction, in the order of <see cref="RetrainingResult.Fractions"/>.</param>
public sealed record RetrainingCurve(string Method, RetrainingMode Mode, double[] Accuracy)
{
    /// <summary>The mean accuracy over the fractions: low is good for ROAR, high for KAR.</summary>
    public double Score => Accuracy.Average();
}
