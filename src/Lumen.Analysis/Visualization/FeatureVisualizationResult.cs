using Lumen.Tensors;

namespace Lumen.Analysis.Visualization;

/// <summary>The outcome of <see cref="FeatureVisualization.Visualize"/>.</summary>
/// <param name="Images">The optimised images, RGB in [0, 1], [B, 3, H, W].</param>
/// <param name="StartImages">The images the optimisation started from.</param>
/// <param name="Trace">The objective (under that step's random transformation) at every step.</param>
/// <param name="StartValue">The objective of <paramref name="StartImages"/>, untransformed.</param>
/// <param name="FinalValue">The objective of <paramref name="Images"/>, untransformed.</param>
/// <param name="StartTerms">Each term's weighted value on <paramref name="StartImages"/>, in the objective's order.</param>
/// <param name="FinalTerms">Each term's weighted value on <paramref name="Images"/>.</param>
public sealed record FeatureVisualizationResult(Tensor Images, Tensor StartImages, IReadOnlyList<float> Trace, float StartValue, float FinalValue,
    IReadOnlyList<float> StartTerms, IReadOnlyList<float> FinalTerms);
