namespace Lumen.Metrics.Localisation;

/// <summary>Top-k intersection: the fraction of the k most relevant pixels that lie on the object.</summary>
/// <remarks>TKI = |top_k(r) ∩ mask| / k. Theiner, Müller-Budack, Ewerth, "Interpretable semantic photo geolocation"
/// (WACV 2022), https://arxiv.org/abs/2104.14995</remarks>
/// <example><code>var tki = new TopKIntersection(k: 1000).Evaluate(input with { Mask = mask }).Value;</code></example>
public sealed class TopKIntersection(int k = 1000) : LocalisationMetric
{
    /// <summary>The number of top pixels.</summary>
    public int K { get; } = k >= 1 ? k : throw new ArgumentOutOfRangeException(nameof(k), $"TopKIntersection: k must be at least 1, got {k}.");

    /// <inheritdoc/>
    public override string Name => "top-k-intersection";

    /// <inheritdoc/>
    protected override double Score(double[] relevance, bool[] mask) => TopFraction(relevance, mask, K);
}
