namespace Lumen.Analysis.Similarity;

/// <summary>Options of <see cref="Svcca"/>.</summary>
public sealed record SvccaOptions
{
    /// <summary>Keep the fewest singular directions of each representation whose variance reaches this fraction
    /// (Raghu et al. keep 99 %); 1 keeps every direction, which is plain CCA.</summary>
    public double VarianceKept { get; init; } = 0.99;
}
