using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Gradient;

/// <summary>Options of <see cref="GradientShap"/>.</summary>
public sealed record GradientShapOptions
{
    /// <summary>Random (baseline, α) draws per input sample (Captum's <c>n_samples</c>).</summary>
    public int Samples { get; init; } = 5;

    /// <summary>The reference distribution the baselines are drawn from, uniformly.</summary>
    public IReadOnlyList<Baseline> Baselines { get; init; } = Baseline.Distribution();

    /// <summary>Standard deviation of Gaussian noise added to the input before each draw, in input units (Captum's
    /// <c>stdevs</c>; 0 adds none).</summary>
    public float Noise { get; init; }

    /// <summary>Where attributions land: the input, or a layer (Captum's LayerGradientShap: the layer's gradient at
    /// the random point x′ + α(x̃ − x′) on the input line, times a(x̃) − a(x′)).</summary>
    public AttributeTo AttributeTo { get; init; } = AttributeTo.Input;

    /// <summary>Seed of the draws: the same seed gives the same result, however the rows are chunked.</summary>
    public int Seed { get; init; }

    /// <summary>Rows per forward/backward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one chunk may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}

/// <summary>
/// GradientShap (expected gradients): the gradient at a random point between the input and a baseline drawn from a
/// reference distribution, times the input's difference from that baseline, averaged over the draws.
/// </summary>
/// <remarks>
/// φᵢ(x) = E_{x′∼D, α∼U(0,1)} [(x̃ᵢ − x′ᵢ) · ∂f(x′ + α(x̃ − x′))/∂xᵢ] with x̃ = x + 𝒩(0, σ²), estimated from
/// <see cref="GradientShapOptions.Samples"/> draws. In expectation Σᵢ φᵢ = f(x) − E_{x′} f(x′) (it is Integrated
/// Gradients averaged over baselines, with the path integral sampled). Lundberg &amp; Lee, "A Unified Approach to
/// Interpreting Model Predictions" (NeurIPS 2017), https://arxiv.org/abs/1705.07874; Erion et al., "Improving
/// performance of deep learning models with axiomatic attribution priors and expected gradients" (2020),
/// https://arxiv.org/abs/1906.10670
/// <para>With <see cref="GradientShapOptions.AttributeTo"/> a layer (Captum's LayerGradientShap), the noise and the
/// random point are still drawn in the input, and φⱼ = E[(a(x̃) − a(x′))ⱼ · ∂f/∂aⱼ(x′ + α(x̃ − x′))]; in
/// expectation Σⱼ φⱼ = f(x) − E f(x′) where the layer's map to the output is linear (and approximately otherwise).
/// Two extra forward passes per draw, without gradients, give a(x̃) and a(x′).</para>
/// </remarks>
/// <example><code>var shap = new GradientShap(model, new() { Samples = 20, Baselines = [Baseline.Zero, Baseline.Blurred(10)] });
/// var map = shap.Explain(input, Target.Class(207)).Map;
/// var layerShap = new GradientShap(model, new() { AttributeTo = AttributeTo.Layer("layer4") });</code></example>
public sealed class GradientShap : GradientMethod
{
    private readonly GradientShapOptions options;

    /// <summary>Binds GradientShap to <paramref name="model"/>.</summary>
    public GradientShap(Module model, GradientShapOptions? options = null)
        : base(model, (options ?? new()).AttributeTo, supportsLayer: true)
    {
        this.options = options ?? new();
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.Samples, 1, "options.Samples");
        if (this.options.Baselines is null || this.options.Baselines.Count == 0)
            throw new ArgumentException("GradientShap: the baseline distribution needs at least one baseline.", nameof(options));
        if (!(this.options.Noise >= 0) || float.IsInfinity(this.options.Noise))
            throw new ArgumentOutOfRangeException(nameof(options), $"GradientShap: Noise must be finite and non-negative, got {this.options.Noise}.");
    }

    /// <inheritdoc/>
    public override string Name => "gradient-shap";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank == 0) throw new ArgumentException($"GradientShap: the input needs a batch dimension, got shape {input.Shape}.");
        int samples = input.Shape[0], rowSize = input.Size / Math.Max(samples, 1), draws = options.Samples;
        var x = input.AsReadOnlySpan().ToArray();
        var baselines = options.Baselines.Select(b => b.For(input).AsReadOnlySpan().ToArray()).ToArray();
        var rng = new Random(options.Seed); // all draws up front, so chunking does not change them
        var baselineOfRow = new int[draws * samples];
        var alphaOfRow = new float[draws * samples];
        var seedOfRow = new int[draws * samples];
        for (int r = 0; r < baselineOfRow.Length; r++)
        {
            baselineOfRow[r] = rng.Next(baselines.Length);
            alphaOfRow[r] = (float)rng.NextDouble();
            seedOfRow[r] = rng.Next();
        }

        var rowShape = input.Shape.With(0, 1);
        float[]? summed = null;
        int[] mapShape = [];
        int chunk = Batching.ChunkSize(Model, Tensor.FromArray(x[..rowSize], rowShape.ToArray()), options.BatchSize, options.MemoryBudgetBytes, withGradients: true);
        if (options.BatchSize is null) chunk = Batching.EqualChunks(draws * samples, chunk);
        Batching.ForEachChunk(draws * samples, chunk, (start, end) =>
        {
            int count = end - start;
            var points = new float[count * rowSize];
            var ends = new float[2 * count * rowSize]; // x̃ of every row, then x′ of every row
            var sampleOfRow = new int[count];
            Batching.ForEachRow(count, r =>
            {
                int row = start + r, sample = row % samples;
                sampleOfRow[r] = sample;
                var noise = options.Noise > 0 ? Tensor.Randn(rowShape, seedOfRow[row]).AsReadOnlySpan() : default;
                var source = x.AsSpan(sample * rowSize, rowSize);
                var noisy = ends.AsSpan(r * rowSize, rowSize);
                var reference = ends.AsSpan((count + r) * rowSize, rowSize);
                baselines[baselineOfRow[row]].AsSpan(sample * rowSize, rowSize).CopyTo(reference);
                var point = points.AsSpan(r * rowSize, rowSize);
                float alpha = alphaOfRow[row];
                for (int i = 0; i < rowSize; i++)
                {
                    noisy[i] = options.Noise > 0 ? source[i] + options.Noise * noise[i] : source[i];
                    point[i] = reference[i] + alpha * (noisy[i] - reference[i]);
                }
            });
            var rowTarget = target.ForRows(sampleOfRow);
            var (gradient, _) = GradientOf(Tensor.FromArray(points, [count, .. rowShape.Dims[1..]]), rowTarget);
            // The attributed values at x̃ and x′: the rows themselves, or the layer's activations for them.
            var values = AttributeTo.Hook is null ? ends : LayerActivationOf(Tensor.FromArray(ends, [2 * count, .. rowShape.Dims[1..]]), target.ForRows([.. sampleOfRow, .. sampleOfRow])).AsReadOnlySpan().ToArray();
            var g = gradient.AsReadOnlySpan();
            int size = g.Length / count;
            if (summed is null) (summed, mapShape) = (new float[samples * size], [samples, .. gradient.Shape.Dims[1..]]);
            for (int r = 0; r < count; r++)
            {
                var acc = summed.AsSpan(sampleOfRow[r] * size, size);
                var gr = g.Slice(r * size, size);
                var at = values.AsSpan(r * size, size);
                var from = values.AsSpan((count + r) * size, size);
                for (int i = 0; i < size; i++) acc[i] += gr[i] * (at[i] - from[i]) / draws;
            }
        }, cancellation, progress);
        return new Attribution(Tensor.FromArray(summed!, mapShape), target, Name);
    }
}
