using Lumen.Metrics.Common;

namespace Lumen.Metrics.Robustness;

/// <summary>Max-sensitivity: the largest relative change of the explanation under small input perturbations.</summary>
/// <remarks>SENS_max = max_{‖δ‖≤r} ‖Φ(x + δ) − Φ(x)‖₂ / ‖Φ(x)‖₂ over sampled δ. Yeh et al., "On the (in)fidelity and
/// sensitivity of explanations" (NeurIPS 2019), https://arxiv.org/abs/1901.09392</remarks>
/// <example><code>var s = new MaxSensitivity().Evaluate(input with { Explainer = m => new Saliency(m) }).Value;</code></example>
public sealed class MaxSensitivity(SensitivityOptions? options = null) : ScalarMetric
{
    private readonly SensitivityOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "max-sensitivity";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Robustness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.AnyWithExplainer;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation) =>
        AvgSensitivity.Ratios(input, options, cancellation).Select(r => r.Max()).ToArray();
}
