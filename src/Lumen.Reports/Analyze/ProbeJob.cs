using System.Diagnostics;
using Lumen.Analysis.Probing;
using Lumen.NN;
using Lumen.Reports.Explain;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Reports.Analyze;

/// <summary>The job behind <c>lumen analyze probe</c>: caches each layer's activations on labelled examples, trains
/// linear and MLP probes on the labels and on a control task (Hewitt &amp; Liang 2019) and reports held-out
/// accuracy and selectivity per layer.</summary>
/// <remarks>Layers with more than <c>maxFeatures</c> values per example are average-pooled spatially (the smallest
/// square grid that fits) before probing, to keep training cheap; the report gives each layer's feature count.</remarks>
/// <example><code>
/// var report = new ProbeJob("mnist", model, ["ReLU32_Output_0", "ReLU114_Output_0"]).Run(ExampleSet.FromIdx(images, Preprocess.Mnist, 1000, labels));
/// </code></example>
public sealed class ProbeJob(string modelName, Module model, IReadOnlyList<string> layers, ProbeOptions? probeOptions = null,
    double trainFraction = 0.7, int controlTypes = 100, int maxFeatures = 1024, int seed = 0)
{
    /// <summary>Runs the probes; progress hears one step per layer.</summary>
    /// <exception cref="ArgumentException">The examples have no labels.</exception>
    public ProbeReport Run(ExampleSet examples, IProgress<ExplainStep>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var labels = examples.Labels ?? throw new ArgumentException("ProbeJob: probing needs labelled examples (an IDX labels file).");
        var watch = Stopwatch.StartNew();
        var input = Tensor.Concat([.. examples.Batches(64)]);
        var features = new List<(string Name, Tensor Values)> { ("input", Reduce(input)) };
        using (GradMode.Off())
        {
            var (_, cache) = model.RunWithCache(input, layers.Contains, detach: true);
            foreach (var layer in layers)
            {
                if (!cache.Contains(layer)) { model.Hooks.Resolve(layer); throw new InvalidOperationException($"ProbeJob: hook point '{layer}' did not run."); }
                features.Add((layer, Reduce(cache[layer])));
            }
        }
        int n = input.Shape[0], classes = labels.Max() + 1, trainCount = (int)Math.Round(n * trainFraction);
        if (trainCount < 2 || trainCount >= n) throw new ArgumentException($"ProbeJob: {n} examples at train fraction {trainFraction} leave no train or test set.");
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var (train, test) = (order[..trainCount], order[trainCount..]);
        var control = ControlTask.Labels(ControlTask.TypesByPrototype(input, Math.Min(controlTypes, n), seed), labels, classes, seed);
        var options = probeOptions ?? new ProbeOptions { Seed = seed };
        var results = new List<LayerProbe>();
        for (int i = 0; i < features.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var (name, values) = features[i];
            progress?.Report(new ExplainStep($"probing {name}", i, features.Count));
            double Accuracy(ProbeKind kind, IReadOnlyList<int> target)
            {
                var probe = Probe.Fit(Rows(values, train), [.. train.Select(r => target[r])], classes, options with { Kind = kind });
                return probe.Accuracy(Rows(values, test), [.. test.Select(r => target[r])]);
            }
            results.Add(new LayerProbe(name, values.Shape[1], Accuracy(ProbeKind.Linear, labels), Accuracy(ProbeKind.Linear, control),
                Accuracy(ProbeKind.Mlp, labels), Accuracy(ProbeKind.Mlp, control)));
        }
        progress?.Report(new ExplainStep("done", features.Count, features.Count));
        return new ProbeReport(modelName, examples.Description, results, train.Length, test.Length, Math.Min(controlTypes, n), watch.Elapsed.TotalSeconds, DateTime.UtcNow);
    }

    /// <summary>[N, …] → [N, D] with D ≤ maxFeatures: spatial average pooling to the largest square grid that fits.</summary>
    private Tensor Reduce(Tensor activation)
    {
        if (activation.Rank != 4 || activation.Size / activation.Shape[0] <= maxFeatures) return activation.Flatten(1);
        int c = activation.Shape[1];
        int side = Math.Max(1, (int)Math.Floor(Math.Sqrt(maxFeatures / (double)c)));
        return activation.AdaptiveAvgPool2d(Math.Min(side, activation.Shape[2]), Math.Min(side, activation.Shape[3])).Flatten(1);
    }

    private static Tensor Rows(Tensor values, int[] rows) => values.IndexSelect(0, Tensor.FromArray([.. rows.Select(r => (long)r)], rows.Length));
}
