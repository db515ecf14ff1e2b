using Lumen.Metrics.Common;

namespace Lumen.Metrics.Localisation;

/// <summary>A metric comparing one sample's per-pixel relevance (attribution summed over channels) with its
/// ground-truth mask (<see cref="MetricInput.Mask"/>).</summary>
public abstract class LocalisationMetric : ScalarMetric
{
    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Localisation;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.HigherIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.ImagesWithMask;

    /// <inheritdoc/>
    protected sealed override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        var masks = FeatureLayout.MaskOf(input.Input.Shape, input.Mask!);
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        return [.. Enumerable.Range(0, input.Samples).Select(b =>
        {
            if (!masks[b].Contains(true)) throw new ArgumentException($"{Name}: the mask of sample {b} is empty.");
            return Score(layout.Relevance(a.AsSpan(b * layout.RowSize, layout.RowSize)), masks[b]);
        })];
    }

    /// <summary>The score of one sample's relevance against its mask (true = on the object).</summary>
    protected abstract double Score(double[] relevance, bool[] mask);

    /// <summary>The fraction of the <paramref name="k"/> most relevant pixels that lie in the mask.</summary>
    protected static double TopFraction(double[] relevance, bool[] mask, int k)
    {
        k = Math.Clamp(k, 1, relevance.Length);
        return (double)Statistics.Descending(relevance).Take(k).Count(i => mask[i]) / k;
    }
}
