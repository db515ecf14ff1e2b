using Lumen.Attribution.Common;

namespace Lumen.Attribution.Perturbation;

/// <summary>Options of <see cref="Lime"/> (and, with the Shapley kernel, of <see cref="KernelShap"/>).</summary>
public sealed record LimeOptions
{
    /// <summary>The interpretable features (superpixels): 16×16 cells by default.</summary>
    public FeatureMask Mask { get; init; } = FeatureMask.Grid(16);

    /// <summary>What a feature switched off is replaced by.</summary>
    public Baseline Baseline { get; init; } = Baseline.Zero;

    /// <summary>Coalitions sampled (forward passes) per sample.</summary>
    public int Samples { get; init; } = 200;

    /// <summary>How coalitions are drawn and weighed.</summary>
    public LimeKernel Kernel { get; init; } = LimeKernel.Exponential();

    /// <summary>The interpretable model fitted to the coalition scores.</summary>
    public LimeSurrogate Surrogate { get; init; } = LimeSurrogate.Ridge();

    /// <summary>Seed of the coalitions.</summary>
    public int Seed { get; init; }

    /// <summary>Perturbed rows per forward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one forward pass may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}
