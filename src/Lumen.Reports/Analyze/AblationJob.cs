using System.Diagnostics;
using Lumen.Analysis.Patching;
using Lumen.Analysis.Projection;
using Lumen.NN;
using Lumen.Reports.Explain;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Reports.Analyze;

/// <summary>The job behind <c>lumen analyze ablate</c>: ablates each channel of a layer in turn and measures how the
/// clean prediction's score and the top-1 agreement change, then projects the layer's activations with PCA or t-SNE.</summary>
/// <example><code>
/// var report = new AblationJob("mnist", model, "ReLU114_Output_0", AblationMode.Mean).Run(examples);
/// </code></example>
public sealed class AblationJob(string modelName, Module model, string layer, AblationMode mode, IReadOnlyList<int>? channels = null, int seed = 0,
    ProjectionMethod projectionMethod = ProjectionMethod.Pca)
{
    /// <summary>Runs the scan on every example at once; progress hears one step per channel.</summary>
    public AblationReport Run(ExampleSet examples, IProgress<ExplainStep>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var watch = Stopwatch.StartNew();
        var input = Tensor.Concat([.. examples.Batches(32)]);
        Tensor clean, activation;
        using (GradMode.Off())
        {
            var (output, cache) = model.RunWithCache(input, n => n == layer, detach: true);
            clean = output.Flatten(1);
            activation = cache.Contains(layer) ? cache[layer] : throw new InvalidOperationException($"AblationJob: hook point '{layer}' did not run.");
        }
        var top = clean.ArgMax(1, keepDims: true);                                   // [N, 1]
        Tensor Score(Tensor y) => y.Flatten(1).Gather(1, top).Reshape(-1);           // the clean prediction's score
        var ablation = new Ablation(model, layer, mode, mode == AblationMode.Zero ? null : input, seed);
        var scanned = channels ?? [.. Enumerable.Range(0, activation.Shape[1])];
        var effects = new List<UnitEffect>();
        for (int i = 0; i < scanned.Count; i++)
        {
            progress?.Report(new ExplainStep($"ablating channel {scanned[i]}", i, scanned.Count));
            effects.AddRange(ablation.Scan(input, Score, [scanned[i]], cancellation));
        }
        var joint = ablation.Measure(input, scanned, Score);
        progress?.Report(new ExplainStep("done", scanned.Count, scanned.Count));
        var pooled = activation.Rank > 2 ? activation.Flatten(2).Mean(2) : activation.Flatten(1);
        var (xy, ratio) = Project(pooled);
        var predicted = top.ToInt64Array();
        var projection = Enumerable.Range(0, xy.Shape[0]).Select(i => ((double)xy[i, 0], xy.Shape[1] > 1 ? (double)xy[i, 1] : 0.0,
            examples.Labels is { } labels ? $"label {labels[i]}" : $"predicted {predicted[i]}")).ToList();
        return new AblationReport(modelName, examples.Description, layer, mode, effects, joint, projection, ratio, watch.Elapsed.TotalSeconds, DateTime.UtcNow, projectionMethod == ProjectionMethod.Tsne ? "t-SNE" : "PCA");
    }

    /// <summary>[N, C] → [N, 2 or fewer] with PCA (and its explained variance ratios) or t-SNE (perplexity
    /// min(30, (N − 1)/3), as scikit-learn advises, seeded).</summary>
    private (Tensor Xy, IReadOnlyList<double> Ratio) Project(Tensor pooled)
    {
        int n = pooled.Shape[0];
        if (projectionMethod == ProjectionMethod.Tsne && n >= 3)
            return (Tsne.Fit(pooled, new TsneOptions { Perplexity = Math.Clamp((n - 1) / 3.0, 1.5, 30), Seed = seed }).Embedding, []);
        var pca = Pca.Fit(pooled, Math.Min(2, Math.Min(n - 1, pooled.Shape[1])));
        return (pca.Transform(pooled), pca.ExplainedVarianceRatio);
    }
}
