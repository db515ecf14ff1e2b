using Lumen.Attribution.Perturbation;
using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Cam;

/// <summary>
/// Score-CAM: a class activation map whose channel weights come from forward passes instead of gradients: each
/// channel's activation, upsampled and min-max normalised, masks the input, and the channel is weighted by the
/// softmax of the target scores of those masked inputs.
/// </summary>
/// <remarks>
/// For the activation A [B, K, h, w] of the layer, Hₖ = norm(up(Aₖ)) with norm(a) = (a − min a)/(max a − min a) (a
/// constant channel gives Hₖ = 0), Cₖ = f(x′ + Hₖ ⊙ (x − x′)) − f(x′), αₖ = softmaxₖ(Cₖ) and the map is
/// ReLU(Σₖ αₖ Aₖ) [B, 1, h, w], upsampled to the input. The softmax is shift-invariant, so f(x′) does not change α;
/// constant channels share one forward pass (the baseline's score). The masked inputs are scored in batches fitted
/// to the memory budget (<see cref="PerturbationMethod"/>). Wang et al., "Score-CAM: Score-Weighted Visual
/// Explanations for Convolutional Neural Networks" (CVPR Workshops 2020), https://arxiv.org/abs/1910.01279
/// </remarks>
/// <example><code>var map = new ScoreCam(model, new() { Cam = new() { Layer = "layer4" } }).Explain(image, Target.Class(207)).Map;</code></example>
public sealed class ScoreCam : PerturbationMethod
{
    private readonly ScoreCamOptions options;

    /// <summary>Binds Score-CAM to <paramref name="model"/>; a named layer must exist.</summary>
    public ScoreCam(Module model, ScoreCamOptions? options = null) : base(model)
    {
        this.options = options ?? new();
        if (this.options.Cam.Layer is { } layer) model.Hooks.Resolve(layer); // fails now, naming the hook, if it does not exist
    }

    /// <inheritdoc/>
    public override string Name => "score-cam";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        int samples = Samples(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank != 4) throw new ArgumentException($"ScoreCam: needs image inputs [B, C, H, W], got {input.Shape}.", nameof(input));
        cancellation.ThrowIfCancellationRequested();
        Tensor activation;
        using (GradMode.Off()) activation = CamMethod.Forward(Model, input.Detach(), target, options.Cam.Layer, Name).Activation.Detach();
        if (activation.Rank != 4 || activation.Shape[0] != samples)
            throw new InvalidOperationException($"ScoreCam: the layer's activation must be [B, K, h, w] for B = {samples}, got {activation.Shape}; name a convolutional layer in Cam.Layer.");
        int channels = activation.Shape[1], height = input.Shape[2], width = input.Shape[3], plane = height * width;
        var masks = Masks(activation, height, width); // per (b, k): [H·W], or null for a constant channel
        var rowShape = new Shape(input.Shape.Dims[1..].ToArray());
        int rowSize = rowShape.Size, perSample = channels + 1; // row k < K: channel k; row K: the baseline
        var x = input.AsReadOnlySpan().ToArray();
        var x0 = options.Baseline.For(input).AsReadOnlySpan().ToArray();
        var rows = new List<(int Sample, int Channel)>();
        for (int b = 0; b < samples; b++)
        {
            for (int k = 0; k < channels; k++) if (masks[b * channels + k] is not null) rows.Add((b, k));
            rows.Add((b, -1));
        }
        var scores = ScoreRows(rowShape, rows.Count, (r, row) =>
        {
            var (b, k) = rows[r];
            int offset = b * rowSize;
            if (k < 0) { x0.AsSpan(offset, rowSize).CopyTo(row); return; }
            var m = masks[b * channels + k]!;
            for (int i = 0; i < rowSize; i++) row[i] = x0[offset + i] + m[i % plane] * (x[offset + i] - x0[offset + i]);
        }, r => rows[r].Sample, target, ChunkSize(input, options.BatchSize, options.MemoryBudgetBytes), cancellation, progress);
        var map = Combine(activation, Weights(rows, scores, samples, channels));
        return new Attribution(CamMethod.Finish(map, input, options.Cam), target, Name);
    }

    /// <summary>Hₖ = norm(up(Aₖ)) per sample and channel ([H·W]); null where the channel is constant.</summary>
    private static float[]?[] Masks(Tensor activation, int height, int width)
    {
        int samples = activation.Shape[0], channels = activation.Shape[1], h = activation.Shape[2], w = activation.Shape[3];
        var a = activation.AsReadOnlySpan();
        var masks = new float[]?[samples * channels];
        for (int c = 0; c < masks.Length; c++)
        {
            var source = a.Slice(c * h * w, h * w);
            float low = float.PositiveInfinity, high = float.NegativeInfinity;
            foreach (var v in source) { low = MathF.Min(low, v); high = MathF.Max(high, v); }
            if (!(high > low)) continue;
            var up = Tensor.FromArray(source.ToArray(), 1, 1, h, w);
            if (h != height || w != width) up = up.Resize(height, width, ResizeMode.Bilinear, ResizeCoordinates.PytorchHalfPixel);
            var mask = up.AsReadOnlySpan().ToArray();
            float lo = mask.Min(), range = mask.Max() - lo;
            for (int i = 0; i < mask.Length; i++) mask[i] = range > 0 ? (mask[i] - lo) / range : 0f;
            masks[c] = mask;
        }
        return masks;
    }

    /// <summary>αₖ = softmaxₖ(f(x with Hₖ)) per sample [B·K]; a constant channel scores as the baseline.</summary>
    private static double[] Weights(List<(int Sample, int Channel)> rows, float[] scores, int samples, int channels)
    {
        var logits = new double[samples * channels];
        for (int r = 0; r < rows.Count; r++) // every channel of a sample starts at its baseline's score
            if (rows[r].Channel < 0) logits.AsSpan(rows[r].Sample * channels, channels).Fill(scores[r]);
        for (int r = 0; r < rows.Count; r++)
            if (rows[r].Channel >= 0) logits[rows[r].Sample * channels + rows[r].Channel] = scores[r];
        var weights = new double[logits.Length];
        for (int b = 0; b < samples; b++)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < channels; k++) max = Math.Max(max, logits[b * channels + k]);
            double sum = 0;
            for (int k = 0; k < channels; k++) sum += weights[b * channels + k] = Math.Exp(logits[b * channels + k] - max);
            for (int k = 0; k < channels; k++) weights[b * channels + k] /= sum;
        }
        return weights;
    }

    /// <summary>Σₖ αₖ Aₖ: [B, 1, h, w].</summary>
    private static Tensor Combine(Tensor activation, double[] weights)
    {
        int samples = activation.Shape[0], channels = activation.Shape[1], positions = activation.Shape[2] * activation.Shape[3];
        var a = activation.AsReadOnlySpan();
        var map = new float[samples * positions];
        for (int b = 0; b < samples; b++)
        {
            var sum = new double[positions];
            for (int k = 0; k < channels; k++)
            {
                double alpha = weights[b * channels + k];
                var plane = a.Slice((b * channels + k) * positions, positions);
                for (int p = 0; p < positions; p++) sum[p] += alpha * plane[p];
            }
            for (int p = 0; p < positions; p++) map[b * positions + p] = (float)sum[p];
        }
        return Tensor.FromArray(map, samples, 1, activation.Shape[2], activation.Shape[3]);
    }
}
