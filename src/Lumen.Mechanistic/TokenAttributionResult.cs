namespace Lumen.Mechanistic;

/// <summary>One score per input token for one predicted token.</summary>
/// <param name="Method">"gradient-x-embedding" or "integrated-gradients".</param>
/// <param name="Tokens">The input tokens.</param>
/// <param name="Target">The token whose logit is explained.</param>
/// <param name="Position">The position whose prediction is explained.</param>
/// <param name="Scores">Per input token, <c>Σ_d</c> of its attribution over the embedding dimensions.</param>
/// <param name="Delta">Completeness error <c>Σ scores − (f(x) − f(baseline))</c> (integrated gradients only).</param>
public sealed record TokenAttributionResult(string Method, IReadOnlyList<int> Tokens, int Target, int Position, float[] Scores, double? Delta);
