using Lumen.Metrics.Common;

namespace Lumen.Metrics.Faithfulness;

/// <summary>Options of <see cref="Road"/>.</summary>
public sealed record RoadOptions : MetricOptions
{
    /// <summary>Fractions of features removed.</summary>
    public double[] Percentages { get; init; } = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    /// <summary>Which features go first.</summary>
    public RemovalOrder Order { get; init; } = RemovalOrder.MostRelevantFirst;

    /// <summary>Standard deviation of the noise added to imputed values (the paper's "noisy" imputation).</summary>
    public float NoiseSigma { get; init; } = 0.01f;

    /// <summary>Gauss–Seidel sweeps of the linear imputation.</summary>
    public int ImputationSweeps { get; init; } = 100;
}

/// <summary>Remove and debias (ROAD): remove a growing fraction of features, fill them by noisy linear imputation
/// (each removed value is the mean of its neighbours), and record whether the prediction is unchanged; the curve of
/// that accuracy over the fraction, scored by its mean. MoRF: low is good.</summary>
/// <remarks>vᵢ = mean_{j∈N(i)} vⱼ for removed i (solved by Gauss–Seidel), plus N(0, σ²); yₚ = 𝟙[argmax f(x̃ₚ) =
/// argmax f(x)]. Rong et al., "A consistent and efficient evaluation strategy for attribution methods" (ICML 2022),
/// https://arxiv.org/abs/2202.00449</remarks>
/// <example><code>var curve = new Road().Evaluate(input).Curve; // accuracy at 10 … 90 % removed</code></example>
public sealed class Road(RoadOptions? options = null) : CurveMetric
{
    private readonly RoadOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "road";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Faithfulness;

    /// <inheritdoc/>
    public override ScoreDirection Direction =>
        options.Order == RemovalOrder.MostRelevantFirst ? ScoreDirection.LowerIsBetter : ScoreDirection.HigherIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.Any;

    /// <inheritdoc/>
    protected override IReadOnlyList<Curve> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        int samples = input.Samples, rowSize = layout.RowSize, p = options.Percentages.Length;
        var x = input.Input.AsReadOnlySpan().ToArray();
        var a = input.Attribution.AsReadOnlySpan().ToArray();
        var rng = new Random(options.Seed);
        var imputed = new float[p][][];
        for (int k = 0; k < p; k++) imputed[k] = new float[samples][];
        for (int b = 0; b < samples; b++)
        {
            var r = layout.Relevance(a.AsSpan(b * rowSize, rowSize));
            var order = options.Order == RemovalOrder.MostRelevantFirst ? Statistics.Descending(r) : Statistics.Descending([.. r.Select(v => -v)]);
            for (int k = 0; k < p; k++)
            {
                int count = (int)Math.Round(Math.Clamp(options.Percentages[k], 0, 1) * layout.Features);
                imputed[k][b] = NoisyLinearImputation.Impute(layout, x.AsSpan(b * rowSize, rowSize), order.AsSpan(0, count), options.ImputationSweeps, options.NoiseSigma, rng);
            }
        }
        var (_, predictions) = new ModelRunner(input.Model, input.Target, input.Input, options).ScoresAndPredictions(p + 1, (v, b, row) =>
            (v == 0 ? x.AsSpan(b * rowSize, rowSize) : imputed[v - 1][b]).CopyTo(row), cancellation);
        return [.. Enumerable.Range(0, samples).Select(b =>
        {
            var ys = Enumerable.Range(1, p).Select(v => predictions[v][b] == predictions[0][b] ? 1.0 : 0.0).ToArray();
            return new Curve([.. options.Percentages], ys, ys.Average());
        })];
    }
}
