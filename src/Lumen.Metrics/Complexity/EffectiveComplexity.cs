namespace Lumen.Metrics.Complexity;

/// <summary>Effective complexity: how many attribution values exceed a threshold in magnitude.</summary>
/// <remarks>EC = |{i : |aᵢ| &gt; ε}|. Nguyen, Martínez, "On quantitative aspects of model interpretability" (2020),
/// https://arxiv.org/abs/2007.07584</remarks>
/// <example><code>var count = new EffectiveComplexity(epsilon: 1e-3).Evaluate(input).Value;</code></example>
public sealed class EffectiveComplexity(double epsilon = 1e-5) : ComplexityMetric
{
    /// <summary>The threshold ε.</summary>
    public double Epsilon { get; } = epsilon >= 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), $"EffectiveComplexity: epsilon must be ≥ 0, got {epsilon}.");

    /// <inheritdoc/>
    public override string Name => "effective-complexity";

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    protected override double Score(double[] magnitudes) => magnitudes.Count(m => m > Epsilon);
}
