namespace Lumen.Analysis.Recording;

/// <summary>Statistics of one channel over every recorded example and position.</summary>
/// <param name="Count">Number of values seen (examples × positions).</param>
/// <param name="Mean">Mean value.</param>
/// <param name="StandardDeviation">Population standard deviation.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="PositiveFraction">Fraction of values above zero (1 − sparsity).</param>
/// <param name="MeanScore">Mean over examples of the per-example score (<see cref="ChannelScore"/>).</param>
public sealed record ChannelStatistics(long Count, double Mean, double StandardDeviation, float Min, float Max, double PositiveFraction, double MeanScore);
