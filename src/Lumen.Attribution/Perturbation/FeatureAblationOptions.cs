using Lumen.Attribution.Common;

namespace Lumen.Attribution.Perturbation;

/// <summary>Options of <see cref="FeatureAblation"/>.</summary>
public sealed record FeatureAblationOptions
{
    /// <summary>What an ablated feature is replaced by.</summary>
    public Baseline Baseline { get; init; } = Baseline.Zero;

    /// <summary>How elements group into features (each element its own feature by default).</summary>
    public FeatureMask Mask { get; init; } = FeatureMask.Elements;

    /// <summary>Perturbed rows per forward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one forward pass may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}
