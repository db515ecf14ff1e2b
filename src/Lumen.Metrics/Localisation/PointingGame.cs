namespace Lumen.Metrics.Localisation;

/// <summary>Pointing game: 1 if the most relevant pixel lies on the object, else 0.</summary>
/// <remarks>hit = 𝟙[∃ i ∈ mask : rᵢ = maxⱼ rⱼ] (on ties any maximal pixel on the object counts, as in Quantus). Zhang et al., "Top-down neural attention by excitation
/// backprop" (ECCV 2016), https://arxiv.org/abs/1608.00507</remarks>
/// <example><code>var hit = new PointingGame().Evaluate(input with { Mask = mask }).Value;</code></example>
public sealed class PointingGame : LocalisationMetric
{
    /// <inheritdoc/>
    public override string Name => "pointing-game";

    /// <inheritdoc/>
    protected override double Score(double[] relevance, bool[] mask)
    {
        double max = relevance.Max();
        return Enumerable.Range(0, relevance.Length).Any(i => mask[i] && relevance[i] == max) ? 1 : 0;
    }
}
