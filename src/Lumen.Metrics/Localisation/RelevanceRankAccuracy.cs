namespace Lumen.Metrics.Localisation;

/// <summary>Relevance rank accuracy: with K the object's size in pixels, the fraction of the K most relevant pixels
/// that lie on the object.</summary>
/// <remarks>RRA = |top_K(r) ∩ mask| / K, K = |mask|. Arras, Osman, Samek, "CLEVR-XAI" (2022),
/// https://arxiv.org/abs/2003.07258</remarks>
/// <example><code>var rra = new RelevanceRankAccuracy().Evaluate(input with { Mask = mask }).Value;</code></example>
public sealed class RelevanceRankAccuracy : LocalisationMetric
{
    /// <inheritdoc/>
    public override string Name => "relevance-rank-accuracy";

    /// <inheritdoc/>
    protected override double Score(double[] relevance, bool[] mask) => TopFraction(relevance, mask, mask.Count(m => m));
}
