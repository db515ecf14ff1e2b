using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Robustness;

/// <summary>Options of the perturbation-based robustness metrics.</summary>
public sealed record SensitivityOptions : MetricOptions
{
    /// <summary>Perturbed copies of the batch.</summary>
    public int Runs { get; init; } = 10;

    /// <summary>The perturbation δ.</summary>
    public INoise Noise { get; init; } = Functions.Noise.Uniform(0.2f);
}
