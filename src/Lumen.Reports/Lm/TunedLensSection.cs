using Lumen.Mechanistic;

namespace Lumen.Reports.Lm;

/// <summary>What the lens page shows about a tuned lens.</summary>
/// <param name="Result">The tuned lens read on the page's tokens.</param>
/// <param name="Evaluation">The per-layer comparison with the logit lens on held-out text.</param>
/// <param name="Description">Where the translators come from (trained here, with steps and time, or loaded from a file).</param>
/// <param name="Losses">The training loss per step, when the lens was trained in this run.</param>
public sealed record TunedLensSection(LogitLensResult Result, LensEvaluation Evaluation, string Description, IReadOnlyList<double>? Losses = null);
