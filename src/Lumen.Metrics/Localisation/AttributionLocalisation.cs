namespace Lumen.Metrics.Localisation;

/// <summary>Attribution localisation: the share of positive relevance that lies on the object, optionally weighted by
/// how small the object is.</summary>
/// <remarks>μ = Σ_{i∈mask} max(rᵢ, 0) / Σᵢ max(rᵢ, 0); weighted: μ · N/|mask|. Kohlbrenner et al., "Towards best practice
/// in explaining neural network decisions with LRP" (IJCNN 2020), https://arxiv.org/abs/1910.09840</remarks>
/// <example><code>var mu = new AttributionLocalisation().Evaluate(input with { Mask = mask }).Value;</code></example>
public sealed class AttributionLocalisation(bool weighted = false) : LocalisationMetric
{
    /// <summary>Multiply by the inverse object size fraction.</summary>
    public bool Weighted { get; } = weighted;

    /// <inheritdoc/>
    public override string Name => "attribution-localisation";

    /// <inheritdoc/>
    protected override double Score(double[] relevance, bool[] mask) =>
        PositiveShare(relevance, mask) * (Weighted ? (double)mask.Length / mask.Count(m => m) : 1);

    /// <summary>Σ positive relevance in the mask / Σ positive relevance (NaN without positive relevance).</summary>
    internal static double PositiveShare(double[] relevance, bool[] mask)
    {
        double inside = 0, total = 0;
        for (int i = 0; i < relevance.Length; i++)
        {
            double r = Math.Max(relevance[i], 0);
            total += r;
            if (mask[i]) inside += r;
        }
        return total == 0 ? double.NaN : inside / total;
    }
}
