namespace Lumen.Analysis.Similarity;

/// <summary>The kernel CKA compares representations with.</summary>
public enum CkaKernel
{
    /// <summary>k(x, x′) = x·x′ (linear CKA).</summary>
    Linear,

    /// <summary>k(x, x′) = exp(−‖x − x′‖² / (2σ²)), σ = <see cref="CkaOptions.RbfSigmaFraction"/> × the median pairwise distance.</summary>
    Rbf,
}
