using Lumen.Metrics.Common;
using Lumen.Tensors;

namespace Lumen.Metrics.Meta;

/// <summary>Options of <see cref="MetaEvaluation"/>.</summary>
public sealed record MetaEvaluationOptions
{
    /// <summary>Perturbed maps per test (each costs one evaluation of the metric).</summary>
    public int Draws { get; init; } = 2;

    /// <summary>Standard deviation of the minor noise, relative to the standard deviation of each sample's map.</summary>
    public double NoiseLevel { get; init; } = 0.05;

    /// <summary>Seed of the noise and the permutations.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// Meta-evaluation of a metric (the MetaQuantus idea): a metric is worth reading when a minor perturbation of the
/// explanation barely moves it (noise resilience) while a deliberately randomised explanation moves it a lot
/// (reactivity). Minor: a ← a + N(0, (λ σ_a)²); disruptive: a ← a random permutation of a's values. The metric is
/// evaluated once on the original maps and <see cref="MetaEvaluationOptions.Draws"/> times per test.
/// </summary>
/// <remarks>rel(u, v) = |u − v| / (|u| + |v|) (0 when both are 0); NR = 1 − mean rel(s(a + ε), s(a)); R = mean
/// rel(s(π(a)), s(a)); trusted when R ≥ 2 (1 − NR) and R &gt; 0. Hedström et al., "The meta-evaluation problem in
/// explainable AI: identifying reliable estimators with MetaQuantus" (TMLR 2023), https://arxiv.org/abs/2302.07265</remarks>
/// <example><code>var meta = new MetaEvaluation().Evaluate(new DeletionCurve(), input); // meta.NoiseResilience, meta.Reactivity</code></example>
public sealed class MetaEvaluation(MetaEvaluationOptions? options = null)
{
    private readonly MetaEvaluationOptions options = options ?? new();

    /// <summary>Meta-evaluates <paramref name="metric"/> on <paramref name="input"/>.</summary>
    public MetaScore Evaluate(IMetric metric, MetricInput input, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(input);
        if (options.Draws < 1) throw new ArgumentOutOfRangeException(nameof(options), $"MetaEvaluation: Draws must be at least 1, got {options.Draws}.");
        if (!(options.NoiseLevel >= 0)) throw new ArgumentOutOfRangeException(nameof(options), $"MetaEvaluation: NoiseLevel must be ≥ 0, got {options.NoiseLevel}.");
        var original = metric.Evaluate(input, cancellation);
        var map = MapShape.ToInput(input.Attribution, input.Input.Shape, metric.Name).AsReadOnlySpan().ToArray();
        var rng = new Random(options.Seed);
        double minor = 0, random = 0;
        for (int d = 0; d < options.Draws; d++)
        {
            minor += MeanRelativeChange(original, metric.Evaluate(input with { Attribution = Perturbed(map, input, (row, _) => AddNoise(row, rng)) }, cancellation));
            random += MeanRelativeChange(original, metric.Evaluate(input with { Attribution = Perturbed(map, input, (row, _) => Permute(row, rng)) }, cancellation));
        }
        return new MetaScore(metric.Name, original.Value, 1 - minor / options.Draws, random / options.Draws);
    }

    /// <summary>Mean over samples of rel(perturbed, original); samples where either is NaN are skipped.</summary>
    private static double MeanRelativeChange(MetricResult original, MetricResult perturbed)
    {
        var changes = original.PerSample.Zip(perturbed.PerSample).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second))
            .Select(p => p.First == p.Second ? 0 : Math.Abs(p.First - p.Second) / (Math.Abs(p.First) + Math.Abs(p.Second))).ToList();
        return changes.Count == 0 ? 0 : changes.Average();
    }

    private static Tensor Perturbed(float[] map, MetricInput input, Action<float[], int> perturb)
    {
        int samples = input.Samples, size = map.Length / samples;
        var result = new float[map.Length];
        for (int b = 0; b < samples; b++)
        {
            var row = map.AsSpan(b * size, size).ToArray();
            perturb(row, b);
            row.CopyTo(result.AsSpan(b * size));
        }
        return Tensor.FromArray(result, input.Input.Shape.ToArray());
    }

    private void AddNoise(float[] row, Random rng)
    {
        double mean = row.Average(v => (double)v), std = Math.Sqrt(row.Average(v => (v - mean) * (v - mean)));
        Statistics.AddGaussian(row, options.NoiseLevel * std, rng);
    }

    private static void Permute(float[] row, Random rng)
    {
        var order = Statistics.Shuffled(row.Length, rng);
        var copy = row.ToArray();
        for (int i = 0; i < row.Length; i++) row[i] = copy[order[i]];
    }
}
