using Lumen.Attribution;
using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Randomisation;

/// <summary>Options of <see cref="RandomLogit"/>.</summary>
public sealed record RandomLogitOptions : MetricOptions
{
    /// <summary>How the two maps are compared.</summary>
    public ISimilarity Similarity { get; init; } = Functions.Similarity.Pearson;
}

/// <summary>Random logit: explain a randomly drawn other class and measure the similarity to the original map; a
/// class-sensitive method gives a low similarity.</summary>
/// <remarks>s = sim(Φ(x, c′), Φ(x, c)), c′ ≠ ŷ drawn uniformly (seeded). Sixt, Granz, Landgraf, "When explanations lie:
/// why many modified BP attributions fail" (ICML 2020), https://arxiv.org/abs/1912.09818</remarks>
/// <example><code>var s = new RandomLogit().Evaluate(input with { Explainer = m => new Saliency(m) }).Value;</code></example>
public sealed class RandomLogit(RandomLogitOptions? options = null) : ScalarMetric
{
    private readonly RandomLogitOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "random-logit";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Randomisation;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.AnyWithExplainer;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        int samples = input.Samples, rowSize = input.Input.Size / samples;
        var x = input.Input.AsReadOnlySpan().ToArray();
        var outputs = new Common.ModelRunner(input.Model, input.Target, input.Input, options)
            .Outputs(1, (_, b, row) => x.AsSpan(b * rowSize, rowSize).CopyTo(row), cancellation)[0];
        int classes = outputs[0].Length;
        if (classes < 2) throw new ArgumentException($"{Name}: the model has {classes} output(s); a random other class needs at least two.");
        var rng = new Random(options.Seed);
        var others = outputs.Select(o =>
        {
            int predicted = Common.Statistics.ArgMax(o), other = rng.Next(classes - 1);
            return other >= predicted ? other + 1 : other;
        }).ToArray();
        var map = Common.Reexplainer.Explain(Common.Reexplainer.MethodFor(input), input, x, Target.Classes(others));
        var original = input.Attribution.AsReadOnlySpan().ToArray();
        return [.. Enumerable.Range(0, samples).Select(b => options.Similarity.Compute(original.AsSpan(b * rowSize, rowSize), map.AsSpan(b * rowSize, rowSize)))];
    }
}
