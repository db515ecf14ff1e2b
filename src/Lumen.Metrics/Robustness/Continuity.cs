using Lumen.Metrics.Common;

namespace Lumen.Metrics.Robustness;

/// <summary>Options of <see cref="Continuity"/>. <see cref="MetricOptions.BatchSize"/> counts the rows of one Explain
/// call (the translations of all samples are stacked).</summary>
public sealed record ContinuityOptions : MetricOptions
{
    /// <summary>Translations, one pixel (or feature) further each.</summary>
    public int Steps { get; init; } = 8;

    /// <summary>The value shifted-in pixels take.</summary>
    public float Fill { get; init; }
}

/// <summary>Continuity: translate the input step by step and take the largest ratio of explanation change (L1) to
/// input change (L2) between neighbouring steps; low is good. All translations are explained in stacked, batched
/// calls.</summary>
/// <remarks>C = maxₜ ‖Φ(xₜ) − Φ(xₜ₋₁)‖₁ / ‖xₜ − xₜ₋₁‖₂, xₜ = x shifted by t pixels along the width. Montavon, Samek,
/// Müller, "Methods for interpreting and understanding deep neural networks" (2018), https://arxiv.org/abs/1706.07979</remarks>
/// <example><code>var c = new Continuity().Evaluate(input with { Explainer = m => new Saliency(m) }).Value;</code></example>
public sealed class Continuity(ContinuityOptions? options = null) : ScalarMetric
{
    private readonly ContinuityOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "continuity";

    /// <inheritdoc/>
    public override MetricCategory Category => MetricCategory.Robustness;

    /// <inheritdoc/>
    public override ScoreDirection Direction => ScoreDirection.LowerIsBetter;

    /// <inheritdoc/>
    public override Applicability Applicability => Applicability.AnyWithExplainer;

    /// <inheritdoc/>
    protected override IReadOnlyList<double> EvaluateBatch(MetricInput input, CancellationToken cancellation)
    {
        var layout = FeatureLayout.Of(input.Input.Shape);
        int samples = input.Samples, rowSize = layout.RowSize;
        var shifted = Enumerable.Range(0, options.Steps + 1).Select(t => t == 0 ? input.Input.AsReadOnlySpan().ToArray() : Shift(input.Input.AsReadOnlySpan(), layout, t, options.Fill)).ToArray();
        var maps = Reexplainer.ExplainVariants(Reexplainer.MethodFor(input), input, options.Steps,
            (v, b, row) => shifted[v + 1].AsSpan(b * rowSize, rowSize).CopyTo(row), options, cancellation);
        var explained = maps.Prepend(input.Attribution.AsReadOnlySpan().ToArray()).ToArray();
        var best = new double[samples];
        for (int t = 1; t <= options.Steps; t++)
            for (int b = 0; b < samples; b++)
            {
                double dx = Statistics.Norm(shifted[t].AsSpan(b * rowSize, rowSize), shifted[t - 1].AsSpan(b * rowSize, rowSize));
                if (dx > 0) best[b] = Math.Max(best[b], Statistics.Norm(explained[t].AsSpan(b * rowSize, rowSize), explained[t - 1].AsSpan(b * rowSize, rowSize), 1) / dx);
            }
        return best;
    }

    /// <summary>Every plane shifted right by <paramref name="shift"/> along the last axis.</summary>
    internal static float[] Shift(ReadOnlySpan<float> data, FeatureLayout layout, int shift, float fill)
    {
        var result = new float[data.Length];
        int w = layout.Width;
        for (int line = 0; line < data.Length / w; line++)
            for (int x = 0; x < w; x++)
                result[line * w + x] = x - shift >= 0 ? data[line * w + x - shift] : fill;
        return result;
    }
}
