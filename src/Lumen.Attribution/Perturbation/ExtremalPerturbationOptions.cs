using Lumen.Attribution.Common;

namespace Lumen.Attribution.Perturbation;

/// <summary>Options of <see cref="ExtremalPerturbation"/>.</summary>
public sealed record ExtremalPerturbationOptions
{
    /// <summary>The areas a (shares of the input, each in (0, 1)) whose masks are optimised; the map is their mean.</summary>
    public IReadOnlyList<double> Areas { get; init; } = [0.1];

    /// <summary>What the input is blended to outside the mask: a Gaussian blur of σ = 10 pixels.</summary>
    public Baseline Baseline { get; init; } = Baseline.Blurred(10);

    /// <summary>Adam steps (TorchRay: 800).</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Adam's step size (TorchRay: 0.1).</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>Input pixels per cell of the coarse mask (TorchRay: 7).</summary>
    public int MaskStride { get; init; } = 7;

    /// <summary>λ at the first step, the weight of the area loss mean((sort(m) − rₐ)²).</summary>
    public float AreaWeight { get; init; } = 1f;

    /// <summary>How much λ grows, geometrically, from the first step to the last (TorchRay: 1.0035⁸⁰⁰ ≈ 16).</summary>
    public float AreaWeightGrowth { get; init; } = 100f;

    /// <summary>σ, in cells, of the Gaussian bumps whose smooth max is the mask (3 cells ≈ TorchRay's σ = 21 pixels at
    /// stride 7); 0 uses the coarse mask as it is.</summary>
    public double MaskSmoothing { get; init; } = 3;

    /// <summary>Seed of the start noise.</summary>
    public int Seed { get; init; }
}
