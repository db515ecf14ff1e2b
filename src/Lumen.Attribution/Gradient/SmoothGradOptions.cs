using Lumen.Attribution.Common;

namespace Lumen.Attribution.Gradient;

/// <summary>Options of <see cref="SmoothGrad"/>.</summary>
public sealed record SmoothGradOptions
{
    /// <summary>Noisy copies of each input (the paper's n; Captum's <c>nt_samples</c>).</summary>
    public int Samples { get; init; } = 50;

    /// <summary>Standard deviation of the Gaussian noise: a fraction of each sample's value range (max x − min x),
    /// the paper's noise level, when <see cref="NoiseRelativeToRange"/> is true; otherwise in input units, like
    /// Captum's <c>stdevs</c>.</summary>
    public float NoiseLevel { get; init; } = 0.15f;

    /// <summary>Scale <see cref="NoiseLevel"/> by each sample's value range (true) or take it as absolute (false).</summary>
    public bool NoiseRelativeToRange { get; init; } = true;

    /// <summary>How the noisy maps are combined: SmoothGrad, SmoothGrad² or VarGrad.</summary>
    public NoiseAggregation Aggregation { get; init; } = NoiseAggregation.Mean;

    /// <summary>Seed of the noise: the same seed gives the same result, however the rows are chunked.</summary>
    public int Seed { get; init; }

    /// <summary>Noisy rows per call of the wrapped method; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one chunk may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}
