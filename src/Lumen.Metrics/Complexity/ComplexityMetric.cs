namespace Lumen.Metrics.Complexity;

/// <summary>A metric computed from one sample's attribution map alone (every element, flattened).</summary>
public abstract class ComplexityMetric : ScalarMetric
{
    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Complexity;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.Any;

    /// <inheritdoc/>
    protected sealed override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        int samples = input.Samples, size = input.Attribution.Size / samples;
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        return [.. Enumerable.Range(0, samples).Select(b => Score([.. a.AsSpan(b * size, size).ToArray().Select(v => Math.Abs((double)v))]))];
    }

    /// <summary>The score of one map, given as absolute values.</summary>
    protected abstract double Score(double[] magnitudes);
}
