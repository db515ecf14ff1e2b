namespace Lumen.Analysis.Concepts;

/// <summary>The outcome of <see cref="Tcav.Test"/>.</summary>
/// <param name="Scores">TCAV score of the concept against each random set.</param>
/// <param name="RandomScores">TCAV scores of random-vs-random CAVs (the null distribution).</param>
/// <param name="CavAccuracies">Training accuracy of each concept CAV.</param>
/// <param name="T">Welch's t of the scores against the null scores.</param>
/// <param name="P">Two-sided p-value; below 0.05 the concept is significant for the class.</param>
public sealed record TcavResult(IReadOnlyList<double> Scores, IReadOnlyList<double> RandomScores, IReadOnlyList<double> CavAccuracies, double T, double P)
{
    /// <summary>Mean TCAV score of the concept.</summary>
    public double Mean => Scores.Average();
}
