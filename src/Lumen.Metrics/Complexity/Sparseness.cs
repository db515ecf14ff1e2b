namespace Lumen.Metrics.Complexity;

/// <summary>Sparseness: the Gini index of the attribution magnitudes; 1 − 1/n for a one-hot map, 0 for a uniform one.</summary>
/// <remarks>G = Σᵢ (2i − n − 1) |a|₍ᵢ₎ / (n Σᵢ |a|₍ᵢ₎), magnitudes sorted ascending, i = 1..n (NaN for an all-zero map).
/// Chalasani et al., "Concise explanations of neural networks using adversarial training" (ICML 2020),
/// https://arxiv.org/abs/1810.06583</remarks>
/// <example><code>var gini = new Sparseness().Evaluate(input).Value;</code></example>
public sealed class Sparseness : ComplexityMetric
{
    /// <inheritdoc/>
    public override string Name => "sparseness";

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.HigherIsBetter;

    /// <inheritdoc/>
    protected override double Score(double[] magnitudes)
    {
        Array.Sort(magnitudes);
        int n = magnitudes.Length;
        double total = magnitudes.Sum(), weighted = 0;
        for (int i = 0; i < n; i++) weighted += (2.0 * (i + 1) - n - 1) * magnitudes[i];
        return total == 0 ? double.NaN : weighted / (n * total);
    }
}
