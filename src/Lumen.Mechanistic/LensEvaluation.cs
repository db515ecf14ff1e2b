namespace Lumen.Mechanistic;

/// <summary>The logit lens and a tuned lens compared layer by layer on the same text.</summary>
/// <remarks>Over positions 1… of every sequence (BOS left out): <c>KL_ℓ = mean_i KL(p_final,i ‖ p_ℓ,i)</c> in nats,
/// and the next-token cross-entropy <c>CE_ℓ = −mean_i log p_ℓ,i(t_{i+1})</c> over positions that have a next token.
/// At the last layer both lenses are the model itself (KL 0, CE the model's loss).</remarks>
/// <param name="Layers">Row labels: "embed", "block 0", ….</param>
/// <param name="LogitLensKl">Mean KL to the final distribution per layer, logit lens.</param>
/// <param name="TunedLensKl">The same for the tuned lens.</param>
/// <param name="LogitLensCrossEntropy">Next-token cross-entropy per layer, logit lens.</param>
/// <param name="TunedLensCrossEntropy">The same for the tuned lens.</param>
/// <param name="Positions">Number of positions averaged.</param>
public sealed record LensEvaluation(IReadOnlyList<string> Layers, IReadOnlyList<double> LogitLensKl, IReadOnlyList<double> TunedLensKl,
    IReadOnlyList<double> LogitLensCrossEntropy, IReadOnlyList<double> TunedLensCrossEntropy, int Positions);
