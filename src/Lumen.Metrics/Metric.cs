using Lumen.Metrics.Common;
using Lumen.Tensors;

namespace Lumen.Metrics;

/// <summary>
/// The skeleton every metric shares: <see cref="Evaluate"/> validates the input, hands the batch to the one abstract
/// step <see cref="EvaluateBatch"/> (which runs its model passes in chunks that fit a memory budget), and aggregates
/// the per-sample results into a <see cref="MetricResult"/>. Metrics keep no state between calls.
/// </summary>
/// <typeparam name="TResult">What one sample yields: a number, or a <see cref="Curve"/>.</typeparam>
/// <remarks>The Quantus design (Hedström et al. 2023, https://arxiv.org/abs/2202.06861) without its stored scores.</remarks>
/// <example><code>var result = new Sparseness().Evaluate(new MetricInput(model, x, map, Target.Class(3))); // result.Value</code></example>
public abstract class Metric<TResult> : IMetric
{
    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract MetricCategory Category { get; }

    /// <inheritdoc/>
    public abstract ScoreDirection Direction { get; }

    /// <inheritdoc/>
    public abstract Applicability Applicability { get; }

    /// <inheritdoc/>
    public MetricResult Evaluate(MetricInput input, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Attribution is not null && input.Input is not null)
            input = input with { Attribution = Common.MapShape.ToInput(input.Attribution, input.Input.Shape, Name) };
        Validate(input);
        cancellation.ThrowIfCancellationRequested();
        var results = EvaluateBatch(input, cancellation);
        if (results.Count != input.Samples)
            throw new InvalidOperationException($"{Name}: produced {results.Count} results for {input.Samples} samples.");
        var scores = results.Select(ScoreOf).ToArray();
        var curves = results.Select(CurveOf).ToArray();
        return new MetricResult(Name, Direction, Statistics.FiniteMean(scores), scores,
            curves.All(c => c is not null) ? [.. curves.Select(c => c!)] : null);
    }

    /// <summary>Scores every sample of the batch.</summary>
    protected abstract IReadOnlyList<TResult> EvaluateBatch(MetricInput input, CancellationToken cancellation);

    /// <summary>The score of one sample's result.</summary>
    protected abstract double ScoreOf(TResult result);

    /// <summary>The curve of one sample's result, if it has one.</summary>
    protected virtual Curve? CurveOf(TResult result) => null;

    /// <summary>Checks shapes and the extra inputs <see cref="Applicability"/> says the metric needs.</summary>
    protected virtual void Validate(MetricInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(input.Model);
        ArgumentNullException.ThrowIfNull(input.Input);
        ArgumentNullException.ThrowIfNull(input.Attribution);
        ArgumentNullException.ThrowIfNull(input.Target);
        if (input.Input.Rank < 2 || input.Samples < 1)
            throw new ArgumentException($"{Name}: the input needs a batch dimension and at least one sample, got {input.Input.Shape}.");
        if (input.Attribution.Shape != input.Input.Shape)
            throw new ArgumentException($"{Name}: the attribution {input.Attribution.Shape} must have the input's shape {input.Input.Shape}.");
        var needs = Applicability.Needs;
        if (needs.HasFlag(MetricNeeds.Mask))
        {
            if (input.Mask is null) throw new ArgumentException($"{Name}: needs a ground-truth mask (MetricInput.Mask).");
            Common.FeatureLayout.MaskOf(input.Input.Shape, input.Mask);
        }
        if (needs.HasFlag(MetricNeeds.Explainer) && input.Explainer is null)
            throw new ArgumentException($"{Name}: needs a way to re-explain (MetricInput.Explainer).");
        if (needs.HasFlag(MetricNeeds.SeveralSamples) && input.Samples < 2)
            throw new ArgumentException($"{Name}: compares samples, so it needs a batch of at least two, got {input.Samples}.");
    }
}

/// <summary>A metric that yields one number per sample.</summary>
public abstract class ScalarMetric : Metric<double>
{
    /// <inheritdoc/>
    protected sealed override double ScoreOf(double result) => result;
}

/// <summary>A metric that yields a curve per sample and scores it.</summary>
public abstract class CurveMetric : Metric<Curve>
{
    /// <inheritdoc/>
    protected sealed override double ScoreOf(Curve result) => result.Score;

    /// <inheritdoc/>
    protected sealed override Curve? CurveOf(Curve result) => result;
}

/// <summary>Options every metric that runs the model shares.</summary>
public abstract record MetricOptions
{
    /// <summary>Rows per forward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory one forward chunk may use for activations.</summary>
    public long MemoryBudgetBytes { get; init; } = Attribution.Common.Batching.DefaultMemoryBudgetBytes;

    /// <summary>Seed of every random draw.</summary>
    public int Seed { get; init; }
}

/// <summary>Shapes every metric uses.</summary>
internal static class Shapes
{
    /// <summary>The shape of a batch of <paramref name="rows"/> rows like the input.</summary>
    public static int[] Rows(Tensor input, int rows) => [rows, .. input.Shape.Dims[1..]];
}
