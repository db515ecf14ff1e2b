using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Robustness;

/// <summary>Options of the perturbation-based robustness metrics. <see cref="MetricOptions.BatchSize"/> counts the
/// rows of one Explain call here: all runs of all samples are stacked into as few calls as it (or the memory budget)
/// allows; a batch size of B (the sample count) explains one run per call.</summary>
public sealed record SensitivityOptions : MetricOptions
{
    /// <summary>Perturbed copies of the batch.</summary>
    public int Runs { get; init; } = 10;

    /// <summary>The perturbation δ.</summary>
    public INoise Noise { get; init; } = Functions.Noise.Uniform(0.2f);
}
