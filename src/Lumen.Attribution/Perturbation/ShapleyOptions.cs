using Lumen.Attribution.Common;

namespace Lumen.Attribution.Perturbation;

/// <summary>Options of <see cref="ShapleyValueSampling"/> and <see cref="ShapleyValues"/>.</summary>
public sealed record ShapleyOptions
{
    /// <summary>What an absent feature is replaced by.</summary>
    public Baseline Baseline { get; init; } = Baseline.Zero;

    /// <summary>How elements group into features (the players of the game).</summary>
    public FeatureMask Mask { get; init; } = FeatureMask.Elements;

    /// <summary>Random feature orders sampled by <see cref="ShapleyValueSampling"/> (Captum's default 25).</summary>
    public int Samples { get; init; } = 25;

    /// <summary>Seed of the sampled orders.</summary>
    public int Seed { get; init; }

    /// <summary>Perturbed rows per forward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one forward pass may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}
