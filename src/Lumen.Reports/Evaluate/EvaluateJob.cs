using System.Diagnostics;
using Lumen.Attribution;
using Lumen.Imaging;
using Lumen.Metrics;
using Lumen.Metrics.Meta;
using Lumen.Reports.Explain;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Reports.Evaluate;

/// <summary>
/// The job behind <c>lumen evaluate</c>: stacks the images into one batch, explains each image's target class with
/// every method, and scores every method with every metric (methods × metrics). Metrics that need masks run only
/// when every image has one; metrics that compare samples need two images or more; a cell that cannot run, or fails,
/// records why and the others still run.
/// </summary>
/// <example><code>
/// var report = new EvaluateJob(classifier, new EvaluateOptions { Metrics = ["deletion", "pointing-game"] }).Run(images);
/// EvaluateReportWriter.Write(report, "out");
/// </code></example>
public sealed class EvaluateJob(Classifier classifier, EvaluateOptions? options = null)
{
    private readonly EvaluateOptions options = options ?? new EvaluateOptions();

    /// <summary>Evaluates; <paramref name="progress"/> hears one step per method explanation and per cell.</summary>
    public EvaluateReport Run(IReadOnlyList<EvaluateImage> images, IProgress<ExplainStep>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("EvaluateJob: no images to evaluate.", nameof(images));
        var methods = options.Methods.Select(KnownAttributionMethods.Find).DistinctBy(m => m.Name).ToList();
        var metricInfos = options.Metrics.Select(KnownMetrics.Find).DistinctBy(m => m.Name).ToList();
        if (methods.Count == 0 || metricInfos.Count == 0) throw new ArgumentException("EvaluateJob: needs at least one method and one metric.");
        options.Settings.RequireAmong(methods.Select(m => m.Name));
        foreach (var info in methods.Where(m => options.Settings.For(m.Name).Count > 0))
            info.Create(classifier.Module, options.Settings); // a setting a constructor refuses fails before any work

        var input = Stack([.. images.Select(i => ImageTensor.FromImage(i.Image, classifier.Preprocess))]); // [N, C, H, W]
        var targets = Targets(input);
        var target = Target.Classes([.. targets]);
        var mask = images.All(i => i.Mask is not null) ? Masks(images, input) : null;
        var metrics = metricInfos.Select(m => (Info: m, Metric: m.Create(input.Shape))).ToList();
        int total = methods.Count * (1 + metrics.Count) + (options.MetaEvaluate ? metrics.Count : 0), done = 0;
        var cells = new List<MetricCell>();
        var meta = new List<MetaScore>();
        var explainSeconds = new Dictionary<string, double>();
        var explained = new List<(AttributionMethodInfo Method, Tensor Map)>();
        foreach (var method in methods)
        {
            cancellation.ThrowIfCancellationRequested();
            progress?.Report(new ExplainStep($"{method.DisplayName}: explaining", done++, total));
            var watch = Stopwatch.StartNew();
            Tensor? map = null;
            string? failure = null;
            try { map = method.Create(classifier.Module, options.Settings).Explain(input, target, cancellation).Map; }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException) { failure = $"{method.DisplayName} failed: {e.Message}"; }
            explainSeconds[method.Name] = watch.Elapsed.TotalSeconds;
            if (map is not null) explained.Add((method, map));
            foreach (var (info, metric) in metrics)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Report(new ExplainStep($"{method.DisplayName} × {info.DisplayName}", done++, total));
                var metricInput = map is null ? null : new MetricInput(classifier.Module, input, map, target) { Mask = mask, Explainer = m => method.Create(m, options.Settings) };
                var cell = metricInput is null ? new MetricCell(method.Name, info.Name, null, 0, failure) : Score(metric, metricInput, method.Name, cancellation);
                cells.Add(cell);
                if (options.MetaEvaluate && cell.Result is not null) meta.Add(new MetaEvaluation().Evaluate(metric, metricInput!, cancellation));
            }
        }
        var consistency = new List<MetaConsistencyScore>();
        if (options.MetaEvaluate && explained.Count > 0)
            foreach (var (info, metric) in metrics)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Report(new ExplainStep($"{info.DisplayName}: MetaQuantus perturbation tests", done++, total));
                var metricInput = new MetricInput(classifier.Module, input, explained[0].Map, target) { Mask = mask };
                if (!cells.Any(c => c.Metric == info.Name && c.Result is not null)) continue;
                try { consistency.Add(new MetaConsistency().Evaluate(metric, metricInput, [.. explained.Select(e => (Func<Lumen.NN.Module, IAttributionMethod>)(m => e.Method.Create(m, options.Settings)))], cancellation)); }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException) { consistency.Add(new MetaConsistencyScore(info.Name, explained.Count, input.Shape[0], null, null) { Error = e.Message }); }
            }
        progress?.Report(new ExplainStep("done", done, total));
        return new EvaluateReport(classifier.Name, [.. images.Select(i => i.Name)], [.. targets.Select(t => (t, classifier.Label(t)))],
            [.. methods.Select(m => (m.Name, m.DisplayName))], [.. metrics.Select(m => new EvaluatedMetric(m.Info, m.Metric.Direction))],
            cells, explainSeconds, DateTime.UtcNow)
        {
            Meta = [.. meta.GroupBy(m => m.Metric).Select(g => new MetaScore(g.Key, g.Average(m => m.Score), g.Average(m => m.NoiseResilience), g.Average(m => m.Reactivity)))],
            MetaConsistency = consistency,
            Settings = options.Settings.Items,
        };
    }

    private static MetricCell Score(IMetric metric, MetricInput input, string method, CancellationToken cancellation)
    {
        var needs = metric.Applicability.Needs;
        if (needs.HasFlag(MetricNeeds.Mask) && input.Mask is null)
            return new MetricCell(method, metric.Name, null, 0, "needs a mask for every image (--masks)");
        if (needs.HasFlag(MetricNeeds.SeveralSamples) && input.Samples < 2)
            return new MetricCell(method, metric.Name, null, 0, "compares images: needs two or more");
        var watch = Stopwatch.StartNew();
        try
        {
            var result = metric.Evaluate(input, cancellation);
            return new MetricCell(method, metric.Name, result, watch.Elapsed.TotalSeconds, null);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return new MetricCell(method, metric.Name, null, watch.Elapsed.TotalSeconds, e.Message);
        }
    }

    /// <summary>The requested class, or each image's top-1 prediction.</summary>
    private int[] Targets(Tensor input)
    {
        Tensor output;
        using (GradMode.Off()) output = classifier.Module.Call(input);
        var scores = output.Reshape(input.Shape[0], -1); // [N, K]
        int classes = scores.Shape[1];
        if (options.TargetClass is int t && (t < 0 || t >= classes))
            throw new ArgumentOutOfRangeException(nameof(input), $"Target class {t} is out of range: {classifier.Name} has {classes} classes.");
        var s = scores.ToArray();
        return [.. Enumerable.Range(0, input.Shape[0]).Select(b => options.TargetClass ?? ArgMax(s.AsSpan(b * classes, classes)))];
    }

    /// <summary>The masks at the model input's geometry, [N, H, W], 1 where the mask pixel is above half grey.</summary>
    private Tensor Masks(IReadOnlyList<EvaluateImage> images, Tensor input)
    {
        int h = input.Shape[2], w = input.Shape[3];
        var values = new float[images.Count * h * w];
        for (int b = 0; b < images.Count; b++)
        {
            var mask = classifier.Preprocess.ApplyGeometry(images[b].Mask!).ToGrey();
            if (mask.Width != w || mask.Height != h)
                throw new ArgumentException($"The mask of {images[b].Name} is {mask.Width}×{mask.Height} after preprocessing; the input is {w}×{h}. Give masks the size of their images.");
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) values[b * h * w + y * w + x] = mask[x, y, 0] > 127 ? 1 : 0;
        }
        return Tensor.FromArray(values, images.Count, h, w);
    }

    private static Tensor Stack(IReadOnlyList<Tensor> rows)
    {
        var shape = rows[0].Shape;
        if (rows.Any(r => r.Shape != shape)) throw new ArgumentException("EvaluateJob: the images give inputs of different shapes; use a preprocessing with a fixed crop.");
        var data = new float[rows.Count * shape.Size];
        for (int i = 0; i < rows.Count; i++) rows[i].AsReadOnlySpan().CopyTo(data.AsSpan(i * shape.Size));
        return Tensor.FromArray(data, [rows.Count, .. shape.Dims[1..]]);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
