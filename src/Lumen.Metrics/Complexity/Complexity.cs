namespace Lumen.Metrics.Complexity;

/// <summary>Complexity: the Shannon entropy of the attribution magnitudes as a distribution; 0 for a one-hot map,
/// ln n for a uniform one.</summary>
/// <remarks>H = −Σᵢ pᵢ ln pᵢ with pᵢ = |aᵢ| / Σⱼ |aⱼ| (NaN for an all-zero map). Bhatt, Weller, Moura, "Evaluating
/// and aggregating feature-based model explanations" (IJCAI 2020), https://arxiv.org/abs/2005.00631</remarks>
/// <example><code>var entropy = new Complexity().Evaluate(input).Value;</code></example>
public sealed class Complexity : ComplexityMetric
{
    /// <inheritdoc/>
    public override string Name => "complexity";

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    protected override double Score(double[] magnitudes)
    {
        double total = magnitudes.Sum();
        if (total == 0) return double.NaN;
        double entropy = 0;
        foreach (var m in magnitudes)
            if (m > 0) entropy -= m / total * Math.Log(m / total);
        return entropy;
    }
}
