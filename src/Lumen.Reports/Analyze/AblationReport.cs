using Lumen.Analysis.Patching;

namespace Lumen.Reports.Analyze;

/// <summary>What <see cref="AblationJob"/> found.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Examples">What the examples were.</param>
/// <param name="Layer">The ablated hook point.</param>
/// <param name="Mode">Zero, mean or resample ablation.</param>
/// <param name="Effects">Per channel, ablated alone: change of the clean prediction's score and top-1 agreement.</param>
/// <param name="Joint">All scanned channels ablated together.</param>
/// <param name="Projection">The layer's activations (per-channel spatial means) projected on a plane (the first two
/// principal components, or t-SNE), each point with its group (label or predicted class).</param>
/// <param name="ExplainedVarianceRatio">Variance fraction of the two components (empty for t-SNE).</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Created">When it ran (UTC).</param>
/// <param name="ProjectionMethod">"PCA" or "t-SNE".</param>
public sealed record AblationReport(string Model, string Examples, string Layer, AblationMode Mode, IReadOnlyList<UnitEffect> Effects, UnitEffect Joint,
    IReadOnlyList<(double X, double Y, string Group)> Projection, IReadOnlyList<double> ExplainedVarianceRatio, double Seconds, DateTime Created,
    string ProjectionMethod = "PCA");
