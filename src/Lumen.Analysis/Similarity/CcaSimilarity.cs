namespace Lumen.Analysis.Similarity;

/// <summary>A CCA-based similarity of two representations.</summary>
/// <param name="Value">The summary similarity in [0, 1] (mean or weighted mean of the correlations).</param>
/// <param name="Correlations">The canonical correlations ρ₁ ≥ ρ₂ ≥ … ≥ 0.</param>
/// <param name="Weights">For PWCCA, the weight of each correlation (summing to 1); otherwise uniform.</param>
/// <param name="DimensionsX">Directions of x kept before CCA.</param>
/// <param name="DimensionsY">Directions of y kept before CCA.</param>
public sealed record CcaSimilarity(double Value, IReadOnlyList<double> Correlations, IReadOnlyList<double> Weights, int DimensionsX, int DimensionsY);
