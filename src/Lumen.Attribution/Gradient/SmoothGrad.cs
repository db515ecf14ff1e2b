using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Gradient;

/// <summary>
/// SmoothGrad, SmoothGrad² and VarGrad: any attribution method averaged over Gaussian-noised copies of the input
/// (Captum's NoiseTunnel). The copies of all samples are batched into chunks that fit the memory budget and passed
/// to the wrapped method in one call per chunk.
/// </summary>
/// <remarks>
/// With εₙ ~ 𝒩(0, σ²) and σ = level · (max x − min x): SmoothGrad M̂(x) = (1/N) Σₙ M(x + εₙ); SmoothGrad²
/// (1/N) Σₙ M(x + εₙ)²; VarGrad (1/N) Σₙ M(x + εₙ)² − M̂(x)². Where the wrapped method reports a completeness delta,
/// SmoothGrad reports its mean over the copies. Smilkov et al., "SmoothGrad: removing noise by adding noise" (2017),
/// https://arxiv.org/abs/1706.03825; Adebayo et al., "Local Explanation Methods for Deep Neural Networks Lack
/// Sensitivity to Parameter Values" (2018), https://arxiv.org/abs/1810.03307 (VarGrad).
/// <para>A wrapped method that attributes to a layer (<see cref="AttributeTo.Layer"/>) gives Captum's NoiseTunnel over
/// its Layer* methods: the noise is still added to the input, and the layer's maps of the noisy copies are combined.</para>
/// </remarks>
/// <example><code>var smooth = new SmoothGrad(model, new Saliency(model), new() { Samples = 10, NoiseLevel = 0.15f });
/// var squared = new SmoothGrad(model, new IntegratedGradients(model), new() { Aggregation = NoiseAggregation.MeanOfSquares });
/// var layer = new SmoothGrad(model, new InputXGradient(model, new() { AttributeTo = AttributeTo.Layer("layer4") }));</code></example>
public sealed class SmoothGrad : IAttributionMethod
{
    private readonly Module model;
    private readonly IAttributionMethod inner;
    private readonly SmoothGradOptions options;

    /// <summary>Wraps <paramref name="inner"/>, a method bound to <paramref name="model"/> (the model sizes the chunks).</summary>
    public SmoothGrad(Module model, IAttributionMethod inner, SmoothGradOptions? options = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.inner = inner ?? throw new ArgumentNullException(nameof(inner));
        this.options = options ?? new();
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.Samples, 1, "options.Samples");
        if (!(this.options.NoiseLevel >= 0) || float.IsInfinity(this.options.NoiseLevel))
            throw new ArgumentOutOfRangeException(nameof(options), $"SmoothGrad: NoiseLevel must be finite and non-negative, got {this.options.NoiseLevel}.");
    }

    /// <inheritdoc/>
    public string Name => options.Aggregation switch
    {
        NoiseAggregation.Mean => "smooth-grad",
        NoiseAggregation.MeanOfSquares => "smooth-grad-squared",
        _ => "var-grad",
    };

    /// <summary>The wrapped method.</summary>
    public IAttributionMethod Inner => inner;

    /// <inheritdoc/>
    public Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank == 0) throw new ArgumentException($"SmoothGrad: the input needs a batch dimension, got shape {input.Shape}.");
        int samples = input.Shape[0], rowSize = input.Size / Math.Max(samples, 1), copies = options.Samples;
        var x = input.AsReadOnlySpan().ToArray();
        var sigma = new float[samples];
        for (int b = 0; b < samples; b++) sigma[b] = options.NoiseLevel * (options.NoiseRelativeToRange ? Range(x.AsSpan(b * rowSize, rowSize)) : 1f);
        var rng = new Random(options.Seed);
        var rowSeeds = new int[copies * samples]; // drawn up front, so chunking does not change the noise
        for (int r = 0; r < rowSeeds.Length; r++) rowSeeds[r] = rng.Next();

        var rowShape = input.Shape.With(0, 1);
        int chunk = Batching.ChunkSize(model, Tensor.FromArray(x[..rowSize], rowShape.ToArray()), options.BatchSize, options.MemoryBudgetBytes, withGradients: true);
        if (options.BatchSize is null) chunk = Batching.EqualChunks(copies * samples, chunk);
        double[]? sum = null, sumOfSquares = null, deltaSum = null;
        int[] mapShape = [];
        Batching.ForEachChunk(copies * samples, chunk, (start, end) =>
        {
            int count = end - start;
            var rows = new float[count * rowSize];
            var sampleOfRow = new int[count];
            Batching.ForEachRow(count, r =>
            {
                int sample = (start + r) % samples;
                sampleOfRow[r] = sample;
                var noise = Tensor.Randn(rowShape, rowSeeds[start + r]).AsReadOnlySpan();
                var row = rows.AsSpan(r * rowSize, rowSize);
                var source = x.AsSpan(sample * rowSize, rowSize);
                for (int i = 0; i < rowSize; i++) row[i] = source[i] + sigma[sample] * noise[i];
            });
            var result = inner.Explain(Tensor.FromArray(rows, [count, .. rowShape.Dims[1..]]), target.ForRows(sampleOfRow), cancellation);
            var maps = result.Map.AsReadOnlySpan();
            int mapSize = maps.Length / count;
            if (sum is null)
            {
                mapShape = [samples, .. result.Map.Shape.Dims[1..]];
                sum = new double[samples * mapSize];
                sumOfSquares = new double[samples * mapSize];
            }
            for (int r = 0; r < count; r++)
            {
                var map = maps.Slice(r * mapSize, mapSize);
                int offset = sampleOfRow[r] * mapSize;
                for (int i = 0; i < mapSize; i++)
                {
                    sum[offset + i] += map[i];
                    sumOfSquares![offset + i] += (double)map[i] * map[i];
                }
            }
            if (result.Delta is { } delta)
            {
                deltaSum ??= new double[samples];
                var d = delta.AsReadOnlySpan();
                for (int r = 0; r < count; r++) deltaSum[sampleOfRow[r]] += d[r];
            }
        }, cancellation, progress);

        var combined = new float[sum!.Length];
        for (int i = 0; i < combined.Length; i++)
        {
            double mean = sum[i] / copies, meanOfSquares = sumOfSquares![i] / copies;
            combined[i] = (float)(options.Aggregation switch
            {
                NoiseAggregation.Mean => mean,
                NoiseAggregation.MeanOfSquares => meanOfSquares,
                _ => Math.Max(meanOfSquares - mean * mean, 0),
            });
        }
        var meanDelta = deltaSum is not null && options.Aggregation == NoiseAggregation.Mean
            ? Tensor.FromArray([.. deltaSum.Select(d => (float)(d / copies))], samples)
            : null;
        return new Attribution(Tensor.FromArray(combined, mapShape), target, Name, meanDelta);
    }

    private static float Range(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in values) { min = Math.Min(min, v); max = Math.Max(max, v); }
        return values.IsEmpty ? 0f : max - min;
    }
}
