using Lumen.Attribution.Common;

namespace Lumen.Attribution.Perturbation;

/// <summary>Options of <see cref="Rise"/>.</summary>
public sealed record RiseOptions
{
    /// <summary>Random masks (forward passes) per sample.</summary>
    public int Masks { get; init; } = 1000;

    /// <summary>Cells of the coarse random grid along each spatial axis (the paper's s).</summary>
    public int Cells { get; init; } = 7;

    /// <summary>Probability that a grid cell is kept (the paper's p).</summary>
    public double Probability { get; init; } = 0.5;

    /// <summary>What masked pixels fade to: x′ + M·(x − x′).</summary>
    public Baseline Baseline { get; init; } = Baseline.Zero;

    /// <summary>Seed of the masks.</summary>
    public int Seed { get; init; }

    /// <summary>Perturbed rows per forward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one forward pass may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}
