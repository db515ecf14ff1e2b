namespace Lumen.Analysis.Projection;

/// <summary>Options of <see cref="Tsne"/> (defaults as in scikit-learn's exact method).</summary>
public sealed record TsneOptions
{
    /// <summary>Dimensions of the embedding.</summary>
    public int Components { get; init; } = 2;

    /// <summary>The effective number of neighbours, 2^H(P_i); must be below the number of examples.</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Gradient descent iterations in all.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Step size η; null picks max(N / α / 4, 50) for N examples (scikit-learn's "auto", Belkina et al. 2019).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Factor α multiplying P during the first <see cref="ExaggerationIterations"/> iterations.</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Iterations of early exaggeration (momentum 0.5 during them, 0.8 after).</summary>
    public int ExaggerationIterations { get; init; } = 250;

    /// <summary>Seed of the initial embedding.</summary>
    public int Seed { get; init; }
}
