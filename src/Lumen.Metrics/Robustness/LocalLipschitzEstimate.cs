using Lumen.Metrics.Common;

namespace Lumen.Metrics.Robustness;

/// <summary>Local Lipschitz estimate: the largest ratio of explanation change to input change over sampled
/// perturbations.</summary>
/// <remarks>L(x) = max_{x′ ∈ N(x)} ‖Φ(x) − Φ(x′)‖₂ / ‖x − x′‖₂. Alvarez-Melis, Jaakkola, "On the robustness of
/// interpretability methods" (2018), https://arxiv.org/abs/1806.08049</remarks>
/// <example><code>var l = new LocalLipschitzEstimate().Evaluate(input with { Explainer = m => new Saliency(m) }).Value;</code></example>
public sealed class LocalLipschitzEstimate(SensitivityOptions? options = null) : ScalarMetric
{
    private readonly SensitivityOptions options = options ?? new() { Noise = Functions.Noise.Gaussian(0.1f) };

    /// <inheritdoc/>
    public override string Name => "local-lipschitz-estimate";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Robustness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.AnyWithExplainer;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var p = PerturbedExplanations.Draw(input, options, cancellation);
        return [.. Enumerable.Range(0, input.Samples).Select(b => Enumerable.Range(0, p.Maps.Length).Max(r =>
        {
            double dx = Statistics.Norm(p.Row(p.Inputs[r], b), p.Row(p.Input, b));
            return dx == 0 ? 0 : Statistics.Norm(p.Row(p.Maps[r], b), p.Row(p.Map, b)) / dx;
        }))];
    }
}
