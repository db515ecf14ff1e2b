using Lumen.Metrics.Common;

namespace Lumen.Metrics.Faithfulness;

/// <summary>Options of <see cref="Sufficiency"/>.</summary>
public sealed record SufficiencyOptions : MetricOptions
{
    /// <summary>Two explanations are "the same" when the Euclidean distance of their L2-normalised maps is at most this.</summary>
    public double Threshold { get; init; } = 0.6;
}

/// <summary>Sufficiency: among the other samples whose explanations are close to this one's, the fraction the model
/// predicts the same class for; 0 when no explanation is close. Needs a batch of several samples.</summary>
/// <remarks>Sᵢ = |{j ≠ i : d(âᵢ, âⱼ) ≤ t, ŷⱼ = ŷᵢ}| / |{j ≠ i : d(âᵢ, âⱼ) ≤ t}|, â = a/‖a‖₂. Dasgupta, Frost, Moshkovitz,
/// "Framework for evaluating faithfulness of local explanations" (ICML 2022), https://arxiv.org/abs/2202.00734</remarks>
/// <example><code>var s = new Sufficiency(new() { Threshold = 0.5 }).Evaluate(batchInput).Value;</code></example>
public sealed class Sufficiency(SufficiencyOptions? options = null) : ScalarMetric
{
    private readonly SufficiencyOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "sufficiency";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Faithfulness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.HigherIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability { get; } = new(DataKinds.All, MetricNeeds.SeveralSamples);

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        int samples = input.Samples, rowSize = input.Input.Size / samples;
        var x = input.Input.AsReadOnlySpan().ToArray();
        var maps = Normalised(input.Attribution.AsReadOnlySpan(), samples);
        var (_, predictions) = new ModelRunner(input.Model, input.Target, input.Input, options)
            .ScoresAndPredictions(1, (_, b, row) => x.AsSpan(b * rowSize, rowSize).CopyTo(row), cancellation);
        return [.. Enumerable.Range(0, samples).Select(i =>
        {
            var close = Enumerable.Range(0, samples).Where(j => j != i && Statistics.Norm(maps[i], maps[j]) <= options.Threshold).ToArray();
            return close.Length == 0 ? 0.0 : (double)close.Count(j => predictions[0][j] == predictions[0][i]) / close.Length;
        })];
    }

    /// <summary>Each sample's map divided by its L2 norm (a zero map stays zero).</summary>
    internal static float[][] Normalised(ReadOnlySpan<float> maps, int samples)
    {
        int size = maps.Length / samples;
        var result = new float[samples][];
        for (int b = 0; b < samples; b++)
        {
            var m = maps.Slice(b * size, size);
            double norm = Statistics.Norm(m, []);
            result[b] = [.. m.ToArray().Select(v => norm == 0 ? 0f : (float)(v / norm))];
        }
        return result;
    }
}
