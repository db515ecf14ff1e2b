namespace Lumen.Analysis.Similarity;

/// <summary>How <see cref="Rsa"/> measures the dissimilarity of two examples' representations.</summary>
public enum RdmDistance
{
    /// <summary>1 − Pearson correlation between the two feature vectors (Kriegeskorte et al. 2008).</summary>
    Correlation,

    /// <summary>Euclidean distance.</summary>
    Euclidean,
}
