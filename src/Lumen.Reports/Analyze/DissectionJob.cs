using System.Diagnostics;
using Lumen.Analysis.Dissection;
using Lumen.Imaging;
using Lumen.NN;
using Lumen.Reports.Explain;
using Lumen.Tensors;

namespace Lumen.Reports.Analyze;

/// <summary>The job behind <c>lumen analyze dissect</c>: network dissection (and Net2Vec) of a model's hook points over
/// a concept set — generated (<see cref="GeneratedConcepts"/>) or a user's folder (<see cref="ConceptFolder"/>) —
/// with the model's own preprocessing.</summary>
/// <example><code>
/// var report = new DissectionJob("squeezenet", model, Preprocess.SqueezeNet, new() { HookPoints = ["conv1_2"] })
///     .Run(GeneratedConcepts.Create(300, 224));
/// AnalyzeReportWriter.Write(DissectionHtml.Render(report), DissectionHtml.Summary(report), "out");
/// </code></example>
public sealed class DissectionJob(string modelName, Module model, Preprocess preprocess, DissectionOptions options, int shownUnits = 12)
{
    /// <summary>Dissects every hook point; <paramref name="progress"/> hears the percentage done.</summary>
    public DissectionReport Run(ConceptSet set, IProgress<ExplainStep>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        var watch = Stopwatch.StartNew();
        var fraction = progress is null ? null : new FractionProgress(f => progress.Report(new ExplainStep($"dissecting {set.Count} images", (int)(f * 100), 100)));
        var result = new NetworkDissection(model, options).Dissect(set, Input(preprocess), fraction, cancellation);
        progress?.Report(new ExplainStep("done", 100, 100));
        return new DissectionReport(modelName, result, shownUnits, watch.Elapsed.TotalSeconds, DateTime.UtcNow);
    }

    /// <summary>RGB batches in [0, 1] ([B, 3, H, W]) → model inputs with <paramref name="preprocess"/>'s channel order
    /// and normalisation (its geometry is not applied: concept images already have their size).</summary>
    public static Func<Tensor, Tensor> Input(Preprocess preprocess)
    {
        ArgumentNullException.ThrowIfNull(preprocess);
        var values = preprocess with { ResizeShorterSide = null, CropSize = null, ResizeTo = null };
        return rgb => Tensor.Concat([.. Enumerable.Range(0, rgb.Shape[0]).Select(b => ImageTensor.FromImage(Display(rgb.Slice(0, b, b + 1).Reshape(3, rgb.Shape[2], rgb.Shape[3])), values))]);
    }

    /// <summary>A concept image ([3, H, W] in [0, 1]) as an 8-bit RGB image.</summary>
    public static Image Display(Tensor rgb) => ImageTensor.ToImage(rgb, Preprocess.UnitRgb);

    private sealed class FractionProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
