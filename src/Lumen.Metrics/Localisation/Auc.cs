using Lumen.Metrics.Common;

namespace Lumen.Metrics.Localisation;

/// <summary>AUC: the area under the ROC curve of relevance as a detector of object pixels; 1 when every object pixel
/// outranks every background pixel, 0.5 for chance.</summary>
/// <remarks>AUC = (Σ_{i∈mask} rank(rᵢ) − P(P+1)/2) / (P·N) (Mann–Whitney, average ranks on ties), P = |mask|,
/// N = background pixels. Fawcett, "An introduction to ROC analysis" (2006), https://doi.org/10.1016/j.patrec.2005.10.010</remarks>
/// <example><code>var auc = new Auc().Evaluate(input with { Mask = mask }).Value;</code></example>
public sealed class Auc : LocalisationMetric
{
    /// <inheritdoc/>
    public override string Name => "auc";

    /// <inheritdoc/>
    protected override double Score(double[] relevance, bool[] mask)
    {
        var ranks = Statistics.Ranks(relevance);
        long positives = mask.Count(m => m), negatives = mask.Length - positives;
        if (negatives == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < ranks.Length; i++) if (mask[i]) sum += ranks[i];
        return (sum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
