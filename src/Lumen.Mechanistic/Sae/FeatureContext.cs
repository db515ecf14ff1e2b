namespace Lumen.Mechanistic.Sae;

/// <summary>One place where a feature fired strongly.</summary>
/// <param name="Feature">The feature index.</param>
/// <param name="Activation">Its activation there.</param>
/// <param name="Sequence">Index of the sequence.</param>
/// <param name="Position">Position of the token in the sequence.</param>
/// <param name="Tokens">The tokens around it (a window ending one token after it).</param>
/// <param name="Focus">Index of the activating token within <paramref name="Tokens"/>.</param>
public sealed record FeatureContext(int Feature, float Activation, int Sequence, int Position, IReadOnlyList<int> Tokens, int Focus);
