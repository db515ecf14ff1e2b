namespace Lumen.Metrics.Localisation;

/// <summary>Relevance mass accuracy: the share of the total relevance magnitude that lies on the object.</summary>
/// <remarks>RMA = Σ_{i∈mask} |rᵢ| / Σᵢ |rᵢ|. Arras, Osman, Samek, "CLEVR-XAI" (2022), https://arxiv.org/abs/2003.07258</remarks>
/// <example><code>var rma = new RelevanceMassAccuracy().Evaluate(input with { Mask = mask }).Value;</code></example>
public sealed class RelevanceMassAccuracy : LocalisationMetric
{
    /// <inheritdoc/>
    public override string Name => "relevance-mass-accuracy";

    /// <inheritdoc/>
    protected override double Score(double[] relevance, bool[] mask)
    {
        double inside = 0, total = 0;
        for (int i = 0; i < relevance.Length; i++)
        {
            total += Math.Abs(relevance[i]);
            if (mask[i]) inside += Math.Abs(relevance[i]);
        }
        return total == 0 ? double.NaN : inside / total;
    }
}
