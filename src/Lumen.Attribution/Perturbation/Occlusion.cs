using Lumen.Attribution.Perturbation.Incremental;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Occlusion: <see cref="FeatureAblation"/> with sliding windows. A window slides over the input with a stride;
/// each position is replaced by the baseline, and every element gets the mean score drop over the windows that
/// cover it.
/// </summary>
/// <remarks>
/// Aᵢ = Σ_{w∋i} (f(x) − f(x with window w set to x′)) / |{w ∋ i}| (0 for elements no window covers).
/// <para><b>Incremental evaluation</b> (<see cref="OcclusionOptions.Incremental"/>, the default): for images
/// [B, C, H, W], the unoccluded forward pass is recorded once, and each occluded copy recomputes only the part of
/// each layer's output that its window can reach (its receptive field), reading the recorded activations
/// everywhere else: exact, not approximate. It applies to models whose leaf modules report their spatial window
/// (<see cref="Lumen.NN.Layers.ISpatiallyLocal"/>: convolutions, pooling, pointwise ops of imported and built-in
/// models); non-local steps (global pooling, dense layers) run in full on the changed activations. Where the rule
/// does not hold (a target on a hook point, hooks attached, non-image input, computation outside leaf modules), it
/// falls back to full forward passes; <see cref="LastFallbackReason"/> says why.</para>
/// Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks" (ECCV 2014),
/// https://arxiv.org/abs/1311.2901; incremental evaluation after Nakandala, Kumar, Papakonstantinou, "Incremental and
/// Approximate Inference for Faster Occlusion-based Deep CNN Explanations" (SIGMOD 2019).
/// </remarks>
/// <example><code>var occlusion = new Occlusion(model, new() { Window = [16, 16], Strides = [8, 8] });
/// var map = occlusion.Explain(image, Target.Class(207)).Map;</code></example>
public sealed class Occlusion : PerturbationMethod
{
    private readonly OcclusionOptions options;
    private readonly FeatureAblation ablation;

    /// <summary>Binds occlusion to <paramref name="model"/>.</summary>
    public Occlusion(Module model, OcclusionOptions? options = null) : base(model)
    {
        this.options = options ?? new();
        if (this.options.Window.Length == 0 || this.options.Window.Length != this.options.Strides.Length)
            throw new ArgumentException($"Occlusion: the window [{string.Join(", ", this.options.Window)}] and strides [{string.Join(", ", this.options.Strides)}] need the same, non-zero number of dimensions.", nameof(options));
        if (this.options.Window.Concat(this.options.Strides).Any(v => v < 1))
            throw new ArgumentOutOfRangeException(nameof(options), "Occlusion: window sizes and strides must be at least 1.");
        ablation = new FeatureAblation(model, new() { BatchSize = this.options.BatchSize, MemoryBudgetBytes = this.options.MemoryBudgetBytes });
    }

    /// <inheritdoc/>
    public override string Name => "occlusion";

    /// <summary>Why the last <see cref="Explain"/> ran full forward passes although incremental evaluation was
    /// asked for; null when it ran incrementally or was not asked to.</summary>
    public string? LastFallbackReason { get; private set; }

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        int samples = Samples(input);
        ArgumentNullException.ThrowIfNull(target);
        var rowShape = new Shape(input.Shape.Dims[1..].ToArray());
        var windows = Windows(rowShape);
        var baseline = options.Baseline.For(input);
        int chunk = ChunkSize(input, options.BatchSize, options.MemoryBudgetBytes);
        LastFallbackReason = null;
        if (options.Incremental)
        {
            var engines = new IncrementalForward?[samples];
            string reason = "";
            for (int b = 0; b < samples && reason.Length == 0; b++)
                engines[b] = IncrementalForward.TryCreate(Model, Row(input, b), target.ForRows([b]), out reason);
            if (rowShape.Rank == 3 && reason.Length == 0)
                return new Attribution(Incremental(input, baseline, windows, engines!, chunk, cancellation, progress), target, Name);
            LastFallbackReason = rowShape.Rank != 3 ? $"the input is not a batch of images [B, C, H, W] (shape {input.Shape})" : reason;
        }
        var groups = windows.Select(w => Elements(w, rowShape)).ToArray();
        return new Attribution(ablation.Ablate(input, target, groups, baseline, chunk, cancellation, progress), target, Name);
    }

    /// <summary>Every window position as (start, size) per row dimension, row-major.</summary>
    private List<(int[] Start, int[] Size)> Windows(Shape rowShape)
    {
        int rank = rowShape.Rank, given = options.Window.Length;
        if (given > rank)
            throw new ArgumentException($"Occlusion: the window [{string.Join(", ", options.Window)}] has more dimensions than an input row {rowShape}.");
        var size = new int[rank];
        var stride = new int[rank];
        var positions = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int g = d - (rank - given);
            size[d] = g < 0 ? rowShape[d] : Math.Min(options.Window[g], rowShape[d]);
            stride[d] = g < 0 ? rowShape[d] : options.Strides[g];
            positions[d] = (rowShape[d] - size[d]) / stride[d] + 1;
        }
        var result = new List<(int[], int[])>();
        var index = new int[rank];
        int total = positions.Aggregate(1, (a, p) => a * p);
        for (int n = 0; n < total; n++)
        {
            for (int d = rank - 1, rest = n; d >= 0; d--) { index[d] = rest % positions[d]; rest /= positions[d]; }
            result.Add(([.. index.Select((i, d) => i * stride[d])], size));
        }
        return result;
    }

    /// <summary>The row elements a window covers.</summary>
    private static int[] Elements((int[] Start, int[] Size) window, Shape rowShape)
    {
        var strides = rowShape.Strides();
        var elements = new List<int>(window.Size.Aggregate(1, (a, s) => a * s));
        var index = new int[rowShape.Rank];
        int total = window.Size.Aggregate(1, (a, s) => a * s);
        for (int n = 0; n < total; n++)
        {
            int flat = 0;
            for (int d = rowShape.Rank - 1, rest = n; d >= 0; d--)
            {
                index[d] = rest % window.Size[d];
                rest /= window.Size[d];
                flat += (window.Start[d] + index[d]) * strides[d];
            }
            elements.Add(flat);
        }
        return [.. elements];
    }

    /// <summary>Occlusion of images through <see cref="IncrementalForward"/>: one edit per window, the window's
    /// spatial box with the occluded channels set to the baseline.</summary>
    private Tensor Incremental(Tensor input, Tensor baseline, List<(int[] Start, int[] Size)> windows, IncrementalForward[] engines,
        int chunk, CancellationToken cancellation, IProgress<double>? progress)
    {
        int samples = input.Shape[0], channels = input.Shape[1], height = input.Shape[2], width = input.Shape[3];
        int rowSize = channels * height * width, count = windows.Count;
        var x = input.AsReadOnlySpan();
        var x0 = baseline.AsReadOnlySpan();
        var scores = new float[samples * count];
        var clean = new float[samples];
        for (int b = 0; b < samples; b++)
        {
            var edits = new InputEdit[count];
            for (int k = 0; k < count; k++)
            {
                var (start, size) = windows[k];
                var data = Tensor.Zeros(1, channels, size[1], size[2]);
                var d = data.AsSpan();
                for (int c = 0; c < channels; c++)
                {
                    bool occluded = c >= start[0] && c < start[0] + size[0];
                    var source = occluded ? x0 : x;
                    for (int y = 0; y < size[1]; y++)
                        source.Slice(b * rowSize + (c * height + start[1] + y) * width + start[2], size[2])
                            .CopyTo(d.Slice((c * size[1] + y) * size[2], size[2]));
                }
                edits[k] = new InputEdit(start[1], start[2], data);
            }
            engines[b].Scores(edits, chunk, cancellation, Part(progress, b, samples)).CopyTo(scores, b * count);
            clean[b] = engines[b].CleanScore;
        }
        var rowShape = new Shape(channels, height, width);
        var groups = windows.Select(w => Elements(w, rowShape)).ToArray();
        return FeatureAblation.Scatter(groups, scores, clean, samples, rowSize, input.Shape);
    }
}
