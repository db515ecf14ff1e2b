namespace Lumen.Analysis.Patching;

/// <summary>The effect of ablating one unit (or a set of units).</summary>
/// <param name="Channel">The ablated channel (−1 for a set).</param>
/// <param name="ScoreChange">Mean over examples of score(ablated) − score(clean).</param>
/// <param name="Agreement">Fraction of examples whose top-1 output is unchanged.</param>
public sealed record UnitEffect(int Channel, double ScoreChange, double Agreement);
