using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Gradient;

/// <summary>Options of <see cref="IntegratedGradients"/>.</summary>
public sealed record IntegratedGradientsOptions
{
    /// <summary>Number of points on the path from the baseline to the input.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>How the path integral is discretised (Captum's default is Gauss–Legendre).</summary>
    public Quadrature Quadrature { get; init; } = Quadrature.GaussLegendre;

    /// <summary>The reference input x′.</summary>
    public Baseline Baseline { get; init; } = Baseline.Zero;

    /// <summary>Multiply the averaged gradient by (x − x′) (the global attribution); false gives the averaged
    /// gradient alone (Captum's <c>multiply_by_inputs=False</c>).</summary>
    public bool MultiplyByInputs { get; init; } = true;

    /// <summary>Rows per forward/backward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one chunk may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}

/// <summary>
/// Integrated Gradients: the gradient averaged along the straight path from a baseline to the input, times the
/// input's difference from the baseline.
/// </summary>
/// <remarks>
/// IGᵢ(x) = (xᵢ − x′ᵢ) · ∫₀¹ ∂f(x′ + α(x − x′))/∂xᵢ dα ≈ (xᵢ − x′ᵢ) · Σₖ wₖ ∂f(x′ + αₖ(x − x′))/∂xᵢ.
/// Completeness: Σᵢ IGᵢ = f(x) − f(x′); the reported <see cref="Attribution.Delta"/> is the quadrature's error in that
/// identity. Sundararajan, Taly, Yan, "Axiomatic Attribution for Deep Networks" (ICML 2017),
/// https://arxiv.org/abs/1703.01365
/// </remarks>
/// <example><code>var ig = new IntegratedGradients(model, new() { Steps = 32, Baseline = Baseline.Blurred(10) });
/// var result = ig.Explain(input, Target.Class(207)); // result.Delta ≈ 0</code></example>
public sealed class IntegratedGradients : GradientMethod
{
    private readonly IntegratedGradientsOptions options;

    /// <summary>Binds Integrated Gradients to <paramref name="model"/>.</summary>
    public IntegratedGradients(Module model, IntegratedGradientsOptions? options = null)
        : base(model, AttributeTo.Input, supportsLayer: false)
    {
        this.options = options ?? new();
        QuadratureRule.Points(this.options.Quadrature, this.options.Steps); // validates steps now
    }

    /// <inheritdoc/>
    public override string Name => "integrated-gradients";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank == 0) throw new ArgumentException($"IntegratedGradients: the input needs a batch dimension, got shape {input.Shape}.");
        var baseline = options.Baseline.For(input);
        var (alphas, weights) = QuadratureRule.Points(options.Quadrature, options.Steps);
        int samples = input.Shape[0], rowSize = input.Size / Math.Max(samples, 1), steps = alphas.Length;
        var rowShape = input.Shape.With(0, 1);
        var x = input.AsSpan().ToArray();
        var x0 = baseline.AsSpan().ToArray();
        var summed = new float[input.Size]; // Σₖ wₖ ∂f/∂x at the path points, per sample

        int chunk = Batching.ChunkSize(Model, Row(x, x0, rowShape, rowSize, 0, (float)alphas[0]), options.BatchSize, options.MemoryBudgetBytes, withGradients: true);
        Batching.ForEachChunk(steps * samples, chunk, (start, end) =>
        {
            int count = end - start;
            var rows = new float[count * rowSize];
            var sampleOfRow = new int[count];
            for (int r = 0; r < count; r++)
            {
                int step = (start + r) / samples, sample = (start + r) % samples;
                sampleOfRow[r] = sample;
                Interpolate(x, x0, sample * rowSize, rowSize, (float)alphas[step], rows.AsSpan(r * rowSize, rowSize));
            }
            var (gradient, _) = GradientOf(Tensor.FromArray(rows, [count, .. rowShape.Dims[1..]]), target.ForRows(sampleOfRow));
            var g = gradient.AsSpan();
            for (int r = 0; r < count; r++)
            {
                float w = (float)weights[(start + r) / samples];
                var acc = summed.AsSpan(sampleOfRow[r] * rowSize, rowSize);
                var gr = g.Slice(r * rowSize, rowSize);
                for (int i = 0; i < rowSize; i++) acc[i] += w * gr[i];
            }
        }, cancellation, progress);

        if (options.MultiplyByInputs)
            for (int i = 0; i < summed.Length; i++) summed[i] *= x[i] - x0[i];
        var map = Tensor.FromArray(summed, input.Shape.ToArray());
        return new Attribution(map, target, Name, options.MultiplyByInputs ? CompletenessDelta(input, baseline, map, target) : null);
    }

    /// <summary>Σ attribution − (f(x) − f(x′)) per sample.</summary>
    private Tensor CompletenessDelta(Tensor input, Tensor baseline, Tensor map, Target target)
    {
        int samples = input.Shape[0];
        var both = Tensor.FromArray([.. input.AsSpan(), .. baseline.AsSpan()], [2 * samples, .. input.Shape.Dims[1..]]);
        var scores = ScoresOf(both, target.ForRows([.. Enumerable.Range(0, samples), .. Enumerable.Range(0, samples)])).ToArray();
        var m = map.AsSpan();
        int rowSize = input.Size / samples;
        var delta = new float[samples];
        for (int b = 0; b < samples; b++)
        {
            double sum = 0;
            foreach (var v in m.Slice(b * rowSize, rowSize)) sum += v;
            delta[b] = (float)(sum - (scores[b] - scores[samples + b]));
        }
        return Tensor.FromArray(delta, samples);
    }

    private static Tensor Row(float[] x, float[] x0, Shape rowShape, int rowSize, int sample, float alpha)
    {
        var row = new float[rowSize];
        Interpolate(x, x0, sample * rowSize, rowSize, alpha, row);
        return Tensor.FromArray(row, rowShape.ToArray());
    }

    /// <summary>x′ + α(x − x′), computed in float32 in the same order as PyTorch.</summary>
    private static void Interpolate(float[] x, float[] x0, int offset, int length, float alpha, Span<float> destination)
    {
        for (int i = 0; i < length; i++) destination[i] = x0[offset + i] + alpha * (x[offset + i] - x0[offset + i]);
    }
}
