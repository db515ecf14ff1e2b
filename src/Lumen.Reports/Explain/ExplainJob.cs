using System.Diagnostics;
using Lumen.Attribution;
using Lumen.Imaging;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Reports.Explain;

/// <summary>Where an <see cref="ExplainJob"/> is: <paramref name="Done"/> of <paramref name="Total"/> steps (one
/// step per image prediction and per method), and what runs next.</summary>
public sealed record ExplainStep(string Description, int Done, int Total);

/// <summary>
/// The job behind <c>lumen explain</c>: predicts each image, then runs each requested attribution method on the
/// target class (the top-1 prediction unless one is given) and renders its heatmaps. A method that fails is
/// reported with its error; the others still run.
/// </summary>
/// <example><code>
/// var report = new ExplainJob(classifier, new ExplainOptions { Methods = ["saliency", "ig"] }).Run([("cat", Image.Load("cat.png"))]);
/// ExplainReportWriter.Write(report, "out");
/// </code></example>
public sealed class ExplainJob(Classifier classifier, ExplainOptions? options = null)
{
    private readonly ExplainOptions options = options ?? new ExplainOptions();

    /// <summary>Explains every image; <paramref name="progress"/> hears one step per prediction and per method.</summary>
    public ExplainReport Run(IReadOnlyList<(string Name, Image Image)> images, IProgress<ExplainStep>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("ExplainJob: no images to explain.", nameof(images));
        var methods = options.Methods.Select(KnownAttributionMethods.Find).ToList(); // unknown names fail before any work
        if (methods.Count == 0) throw new ArgumentException("ExplainJob: no methods requested.");
        options.Settings.RequireAmong(methods.Select(m => m.Name));
        foreach (var info in methods.Where(m => options.Settings.For(m.Name).Count > 0))
            info.Create(classifier.Module, options.Settings); // a setting a constructor refuses fails before any work
        int total = images.Count * (1 + methods.Count), done = 0;
        var results = new List<ImageExplanation>();
        foreach (var (name, image) in images)
        {
            progress?.Report(new ExplainStep($"{name}: predicting", done, total));
            var input = ImageTensor.FromImage(image, classifier.Preprocess); // [1, C, H, W]
            var shown = classifier.Preprocess.ApplyGeometry(image).ToRgb();
            var predictions = Predict(input, out var all);
            int targetIndex = options.TargetClass ?? predictions[0].Index;
            if (targetIndex < 0 || targetIndex >= all.Count)
                throw new ArgumentOutOfRangeException(nameof(images), $"Target class {targetIndex} is out of range: {classifier.Name} has {all.Count} classes.");
            done++;
            var methodResults = new List<MethodResult>();
            foreach (var info in methods)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Report(new ExplainStep($"{name}: {info.DisplayName}", done, total));
                methodResults.Add(RunMethod(info, input, shown, Target.Class(targetIndex), cancellation));
                done++;
            }
            results.Add(new ImageExplanation(name, shown, predictions, all[targetIndex], methodResults));
        }
        progress?.Report(new ExplainStep("done", done, total));
        return new ExplainReport(classifier.Name, results, DateTime.UtcNow) { Settings = options.Settings.Items };
    }

    /// <summary>The top-k predictions for a [1, C, H, W] input; <paramref name="all"/> receives every class.</summary>
    private List<Prediction> Predict(Tensor input, out IReadOnlyList<Prediction> all)
    {
        Tensor output;
        using (GradMode.Off()) output = classifier.Module.Call(input);
        var scores = output.Reshape(1, -1);                                    // [1, K]
        var probabilities = classifier.OutputIsProbability ? scores : scores.Softmax(1);
        var s = scores.ToArray();
        var p = probabilities.ToArray();
        all = [.. Enumerable.Range(0, s.Length).Select(i => new Prediction(i, classifier.Label(i), p[i], s[i]))];
        return [.. all.OrderByDescending(x => x.Probability).ThenBy(x => x.Index).Take(Math.Max(1, options.TopK))];
    }

    private MethodResult RunMethod(AttributionMethodInfo info, Tensor input, Image shown, Target target, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var attribution = info.Create(classifier.Module, options.Settings).Explain(input, target, cancellation);
            watch.Stop();
            var map = attribution.Map;
            var heatmapOptions = IsUnsigned(map) ? HeatmapOptions.Magnitude : new HeatmapOptions { AlphaByMagnitude = true, Alpha = 0.85 };
            var heatmap = Heatmap.Render(map, options: heatmapOptions with { Alpha = 1 });
            var overlay = Heatmap.Render(map, shown, heatmapOptions);
            float? delta = attribution.Delta is { } d ? d.ToArray()[0] : null;
            return new MethodResult(info.Name, info.DisplayName, map, heatmap, overlay, watch.Elapsed.TotalSeconds, delta, null);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return new MethodResult(info.Name, info.DisplayName, null, null, null, watch.Elapsed.TotalSeconds, null, e.Message);
        }
    }

    /// <summary>Maps with no negative value (e.g. |gradient|) render on a sequential colour ramp; signed maps on a
    /// diverging one centred at zero.</summary>
    private static bool IsUnsigned(Tensor map)
    {
        foreach (var v in map.AsReadOnlySpan()) if (v < 0) return false;
        return true;
    }
}
