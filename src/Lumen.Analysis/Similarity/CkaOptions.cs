namespace Lumen.Analysis.Similarity;

/// <summary>Options of <see cref="Cka"/> and <see cref="MinibatchCka"/>.</summary>
public sealed record CkaOptions
{
    /// <summary>The kernel.</summary>
    public CkaKernel Kernel { get; init; } = CkaKernel.Linear;

    /// <summary>Use the unbiased HSIC estimator (Song et al. 2012) instead of the biased one; needs ≥ 4 examples.</summary>
    public bool Unbiased { get; init; }

    /// <summary>For <see cref="CkaKernel.Rbf"/>: the bandwidth σ as a fraction of the median pairwise Euclidean distance.</summary>
    public double RbfSigmaFraction { get; init; } = 0.8;
}
