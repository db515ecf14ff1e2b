using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Feature ablation: each feature (a group of elements given by a <see cref="FeatureMask"/>) is replaced by the
/// baseline in turn, and every element of it is attributed the drop of the target score.
/// </summary>
/// <remarks>
/// Aᵢ = f(x) − f(x with feature k(i) set to x′). With overlapping groups (sliding windows, <see cref="Occlusion"/>)
/// each element gets the mean over the groups that contain it: Aᵢ = Σ_{k∋i} (f(x) − f(x₍ₖ₎)) / |{k ∋ i}|.
/// Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks" (ECCV 2014),
/// https://arxiv.org/abs/1311.2901; Captum's FeatureAblation.
/// </remarks>
/// <example><code>var ablation = new FeatureAblation(model, new() { Mask = FeatureMask.Grid(16) });
/// var map = ablation.Explain(image, Target.Class(207)).Map;</code></example>
public sealed class FeatureAblation : PerturbationMethod
{
    private readonly FeatureAblationOptions options;

    /// <summary>Binds feature ablation to <paramref name="model"/>.</summary>
    public FeatureAblation(Module model, FeatureAblationOptions? options = null) : base(model) => this.options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "feature-ablation";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null) =>
        PerSampleIfNeeded(options.Mask, input, target, cancellation, progress, ExplainBatch);

    private Attribution ExplainBatch(Tensor input, Target target, CancellationToken cancellation, IProgress<double>? progress)
    {
        var (ids, count) = options.Mask.For(input);
        var groups = new List<int>[count];
        for (int k = 0; k < count; k++) groups[k] = [];
        for (int i = 0; i < ids.Length; i++) groups[ids[i]].Add(i);
        var map = Ablate(input, target, [.. groups.Select(g => g.ToArray())], options.Baseline.For(input), ChunkSize(input, options.BatchSize, options.MemoryBudgetBytes), cancellation, progress);
        return new Attribution(map, target, Name);
    }

    /// <summary>
    /// Replaces each group of row elements (indices into one row) by the baseline in turn and returns, per element,
    /// the mean score drop over the groups that contain it (0 where none does).
    /// </summary>
    internal Tensor Ablate(Tensor input, Target target, int[][] groups, Tensor baseline, int chunk, CancellationToken cancellation, IProgress<double>? progress)
    {
        int samples = input.Shape[0], rowSize = input.Size / samples, count = groups.Length;
        var x = input.AsReadOnlySpan().ToArray();
        var x0 = baseline.AsReadOnlySpan().ToArray();
        var clean = ScoresOf(input, target);
        var scores = ScoreRows(new Shape(input.Shape.Dims[1..].ToArray()), samples * count, (r, row) =>
        {
            int b = r / count, offset = b * rowSize;
            x.AsSpan(offset, rowSize).CopyTo(row);
            foreach (var i in groups[r % count]) row[i] = x0[offset + i];
        }, r => r / count, target, chunk, cancellation, progress);
        return Scatter(groups, scores, clean, samples, rowSize, input.Shape);
    }

    /// <summary>Aᵢ = mean over the groups k ∋ i of (clean − score[k]), per sample.</summary>
    internal static Tensor Scatter(int[][] groups, float[] scores, float[] clean, int samples, int rowSize, Shape shape)
    {
        int count = groups.Length;
        var sum = new double[samples * rowSize];
        var hits = new int[rowSize];
        foreach (var g in groups) foreach (var i in g) hits[i]++;
        for (int b = 0; b < samples; b++)
            for (int k = 0; k < count; k++)
            {
                double drop = (double)clean[b] - scores[b * count + k];
                foreach (var i in groups[k]) sum[b * rowSize + i] += drop;
            }
        var map = new float[sum.Length];
        for (int j = 0; j < map.Length; j++)
        {
            int h = hits[j % rowSize];
            map[j] = h == 0 ? 0f : (float)(sum[j] / h);
        }
        return Tensor.FromArray(map, shape.ToArray());
    }
}
