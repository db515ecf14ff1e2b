using Lumen.Attribution.Common;

namespace Lumen.Attribution.Perturbation;

/// <summary>Options of <see cref="MeaningfulPerturbation"/>.</summary>
public sealed record MeaningfulPerturbationOptions
{
    /// <summary>Deletion (the default, the paper's main game) or preservation.</summary>
    public PerturbationGame Game { get; init; } = PerturbationGame.Deletion;

    /// <summary>What the deleted parts of the input are blended to: a Gaussian blur of σ = 10 pixels, as in the paper.</summary>
    public Baseline Baseline { get; init; } = Baseline.Blurred(10);

    /// <summary>Adam steps (the paper: 500).</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Adam's step size (the paper: 0.1).</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>Input pixels per cell of the coarse mask (8: a 28 × 28 mask for a 224 × 224 input, as in the paper).</summary>
    public int MaskStride { get; init; } = 8;

    /// <summary>λ₁, the weight of the mean area term (mean of 1 − m for deletion, of m for preservation).</summary>
    public float AreaWeight { get; init; } = 0.5f;

    /// <summary>λ₂, the weight of the mean total variation Σ|∇m|^β of the coarse mask.</summary>
    public float TvWeight { get; init; } = 0.2f;

    /// <summary>β, the exponent of the total variation (the paper: 3).</summary>
    public float TvExponent { get; init; } = 3f;

    /// <summary>σ, in cells, of the Gaussian blur of the coarse mask before it is upsampled (1 cell); 0: none.</summary>
    public double MaskSmoothing { get; init; } = 1;

    /// <summary>Seed of the start noise.</summary>
    public int Seed { get; init; }
}
