namespace Lumen.Metrics.Retraining;

/// <summary>Options of <see cref="RemoveAndRetrain"/>.</summary>
public sealed record RemoveAndRetrainOptions
{
    /// <summary>Fractions k of the features replaced (ROAR) or kept (KAR); Hooker et al. use 0.1 … 0.9.</summary>
    public double[] Fractions { get; init; } = [0.1, 0.3, 0.5, 0.7, 0.9];

    /// <summary>Which evaluations to run: ROAR, KAR or both (they share the base model and the explanations).</summary>
    public RetrainingMode[] Modes { get; init; } = [RetrainingMode.Remove, RetrainingMode.Keep];

    /// <summary>Whether a random ranking is evaluated too, under the name <c>random</c> (the baseline to beat).</summary>
    public bool IncludeRandom { get; init; } = true;

    /// <summary>Rank features by |relevance| (true, Hooker et al.) or by signed relevance.</summary>
    public bool Absolute { get; init; } = true;

    /// <summary>How removed pixels are filled (ROAR: the top k; KAR: all but the top k).</summary>
    public RemovalFill Fill { get; init; } = RemovalFill.ChannelMean;

    /// <summary>Gauss–Seidel sweeps of <see cref="RemovalFill.NoisyLinear"/>.</summary>
    public int ImputationSweeps { get; init; } = 20;

    /// <summary>σ of the Gaussian noise <see cref="RemovalFill.NoisyLinear"/> adds to every filled pixel.</summary>
    public float ImputationNoise { get; init; } = 0.01f;

    /// <summary>How the models are built and trained.</summary>
    public RetrainingOptions Retraining { get; init; } = new();
}
