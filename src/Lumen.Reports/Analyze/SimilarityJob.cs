using System.Diagnostics;
using Lumen.Analysis.Similarity;
using Lumen.NN;
using Lumen.NN.Hooks;
using Lumen.Reports.Explain;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Reports.Analyze;

/// <summary>The job behind <c>lumen analyze cka</c>: records the representations of the same examples at several
/// layers of one or two models and compares every pair with CKA (a layer × layer matrix), and each layer's best match
/// also with SVCCA, PWCCA and RSA.</summary>
/// <example><code>
/// var report = new SimilarityJob(("mnist", model), null, new() { HookPoints = layers }).Run(examples);
/// AnalyzeReportWriter.Write(SimilarityHtml.Render(report), SimilarityHtml.Summary(report), "out");
/// </code></example>
public sealed class SimilarityJob((string Name, Module Module) modelA, (string Name, Module Module)? modelB, SimilarityOptions options)
{
    /// <summary>Runs both models on every example and compares the layers; progress hears one step per batch and per row.</summary>
    public SimilarityReport Run(ExampleSet examples, IProgress<ExplainStep>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (options.HookPoints.Count == 0) throw new ArgumentException("SimilarityJob: name at least one hook point.");
        var layersB = options.OtherHookPoints ?? options.HookPoints;
        var b = modelB ?? modelA;
        int batches = (examples.Count + options.BatchSize - 1) / options.BatchSize, total = batches + options.HookPoints.Count, done = 0;
        var watch = Stopwatch.StartNew();
        var featuresA = options.HookPoints.Select(_ => new List<Tensor>()).ToList();
        var featuresB = layersB.Select(_ => new List<Tensor>()).ToList();
        foreach (var batch in examples.Batches(options.BatchSize))
        {
            cancellation.ThrowIfCancellationRequested();
            progress?.Report(new ExplainStep($"recording batch {done + 1}/{batches}", done++, total));
            Capture(modelA.Module, options.HookPoints, batch, featuresA);
            if (modelB is not null || options.OtherHookPoints is not null) Capture(b.Module, layersB, batch, featuresB);
        }
        var a = featuresA.Select(f => Tensor.Concat(f)).ToList();
        var bb = modelB is null && options.OtherHookPoints is null ? a : featuresB.Select(f => Tensor.Concat(f)).ToList();
        var cka = new double[a.Count, bb.Count];
        var pairs = new List<LayerPair>();
        for (int i = 0; i < a.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            progress?.Report(new ExplainStep($"comparing {options.HookPoints[i]}", done++, total));
            for (int j = 0; j < bb.Count; j++) cka[i, j] = Cka.Compare(a[i], bb[j], options.Cka);
            int best = Enumerable.Range(0, bb.Count).Where(j => modelB is not null || layersB[j] != options.HookPoints[i] || bb.Count == 1)
                .DefaultIfEmpty(0).MaxBy(j => cka[i, j]);
            pairs.Add(new LayerPair(options.HookPoints[i], layersB[best], cka[i, best], Svcca.Compare(a[i], bb[best]).Value,
                Pwcca.Compare(a[i], bb[best]).Value, Rsa.Compare(a[i], bb[best])));
        }
        progress?.Report(new ExplainStep("done", done, total));
        string kernel = $"{options.Cka.Kernel.ToString().ToLowerInvariant()}, {(options.Cka.Unbiased ? "unbiased" : "biased")}";
        return new SimilarityReport(modelA.Name, b.Name, examples.Description, options.HookPoints, layersB, cka, pairs, kernel, watch.Elapsed.TotalSeconds, DateTime.UtcNow);
    }

    private void Capture(Module model, IReadOnlyList<string> hooks, Tensor batch, List<List<Tensor>> into)
    {
        var (_, cache) = WithoutGradients(() => model.RunWithCache(batch, hooks.Contains, detach: true));
        for (int h = 0; h < hooks.Count; h++)
        {
            if (!cache.Contains(hooks[h])) { model.Hooks.Resolve(hooks[h]); throw new InvalidOperationException($"SimilarityJob: hook point '{hooks[h]}' did not run."); }
            var act = cache[hooks[h]];
            into[h].Add(options.PoolSpatially && act.Rank > 2 ? act.Flatten(2).Mean(2) : act.Flatten(1));
        }
    }

    private static T WithoutGradients<T>(Func<T> run)
    {
        using (GradMode.Off()) return run();
    }
}
