namespace Lumen.Mechanistic;

/// <summary>The result of running a model on repeated random token sequences.</summary>
/// <param name="Induction">Induction score per head.</param>
/// <param name="Duplicate">Duplicate-token score per head on the same sequences.</param>
/// <param name="LossFirstRepeat">Mean next-token loss (nats) while predicting the first copy.</param>
/// <param name="LossSecondRepeat">Mean next-token loss while predicting the second copy; far lower when the model
/// has induction heads.</param>
/// <param name="LossByPosition">Mean loss at each predicted position (1 … 2n), averaged over the sequences.</param>
/// <param name="Sequences">The token sequences (BOS, n random tokens, the same n again).</param>
public sealed record InductionSearch(HeadScores Induction, HeadScores Duplicate, double LossFirstRepeat, double LossSecondRepeat,
    IReadOnlyList<double> LossByPosition, IReadOnlyList<IReadOnlyList<int>> Sequences)
{
    /// <summary><c>LossFirstRepeat − LossSecondRepeat</c>.</summary>
    public double LossDrop => LossFirstRepeat - LossSecondRepeat;
}
