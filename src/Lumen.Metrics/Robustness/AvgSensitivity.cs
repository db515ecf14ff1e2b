using Lumen.Metrics.Common;

namespace Lumen.Metrics.Robustness;

/// <summary>Avg-sensitivity: the mean relative change of the explanation under small input perturbations.</summary>
/// <remarks>SENS_avg = E_{‖δ‖≤r} ‖Φ(x + δ) − Φ(x)‖₂ / ‖Φ(x)‖₂. Yeh et al., "On the (in)fidelity and sensitivity of
/// explanations" (NeurIPS 2019), https://arxiv.org/abs/1901.09392</remarks>
/// <example><code>var s = new AvgSensitivity(new() { Runs = 20 }).Evaluate(input with { Explainer = m => new Saliency(m) }).Value;</code></example>
public sealed class AvgSensitivity(SensitivityOptions? options = null) : ScalarMetric
{
    private readonly SensitivityOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "avg-sensitivity";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Robustness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.AnyWithExplainer;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation) =>
        Ratios(input, options, cancellation).Select(r => r.Average()).ToArray();

    /// <summary>‖Φ(x + δ) − Φ(x)‖₂ / ‖Φ(x)‖₂ per sample and run.</summary>
    internal static double[][] Ratios(MetricInput input, SensitivityOptions options, CancellationToken cancellation)
    {
        var p = PerturbedExplanations.Draw(input, options, cancellation);
        return [.. Enumerable.Range(0, input.Samples).Select(b =>
        {
            double norm = Statistics.Norm(p.Row(p.Map, b), []);
            return p.Maps.Select(m => Statistics.Norm(p.Row(m, b), p.Row(p.Map, b)) / (norm == 0 ? 1 : norm)).ToArray();
        })];
    }
}
