using System.Globalization;
using System.Text;
using Lumen.Attribution;
using Lumen.Imaging;
using Lumen.Metrics;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Reports.Evaluate;
using Lumen.Reports.Explain;
using Lumen.Zoo;
using Xunit.Abstractions;

namespace Lumen.Reports.Tests;

/// <summary>Every method of <see cref="KnownAttributionMethods"/> (enumerated, so new entries are covered) through
/// every localisation metric on the two masked photos of ../shared/data/segmentation.</summary>
public class CatalogLocalisationTests(ITestOutputHelper output)
{
    /// <summary>Localisation metrics of the catalog that score one image against its mask (focus needs mosaics).</summary>
    internal static readonly string[] Localisation = [.. KnownMetrics.All.Where(m => m.Category == MetricCategory.Localisation && m.Name != "focus").Select(m => m.Name)];

    internal static IReadOnlyList<EvaluateImage> SegmentedPhotos() => EvaluateImageLoader.Load(
        [SharedData.Path("data/segmentation/bird_segmentation.bmp"), SharedData.Path("data/segmentation/dog_segmentation_256.bmp")],
        SharedData.Path("data/segmentation"));

    /// <summary>A seeded two-block conv net on 32×32 images: every catalog method runs on it in well under a second
    /// with its default settings, so the whole catalog stays cheap however many steps or samples a method takes.</summary>
    private static Classifier TinyConvNet()
    {
        var rng = new Random(5);
        var model = new Sequential(new Conv2d(3, 8, 3, padding: 1, rng: rng), new Relu(), new MaxPool2d(2), new Conv2d(8, 8, 3, padding: 1, rng: rng), new Relu(),
            new AdaptiveAvgPool2d(1), new Flatten(), new Linear(8, 4, rng: rng));
        model.Eval();
        return new Classifier("tiny-conv", model, ["a", "b", "c", "d"], new Preprocess { ResizeTo = (32, 32), Scale = 1f / 255f }, OutputIsProbability: false);
    }

    /// <summary>The methods × metrics table of a localisation report (mean over the images, then each image).</summary>
    internal static string Table(EvaluateReport report)
    {
        var text = new StringBuilder();
        text.AppendLine($"{"method",-24} " + string.Join(" ", report.Metrics.Select(m => $"{Short(m.Info.Name),-24}")));
        foreach (var (name, display) in report.Methods)
            text.AppendLine($"{display,-24} " + string.Join(" ", report.Metrics.Select(m => report.Cell(name, m.Info.Name).Result is { } r
                ? $"{string.Create(CultureInfo.InvariantCulture, $"{r.Value:0.000} ({string.Join(", ", r.PerSample.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))})"),-24}"
                : $"{"— " + report.Cell(name, m.Info.Name).Error,-24}")));
        text.AppendLine("cells: mean over the images (bird, dog)");
        return text.ToString();
    }

    private static string Short(string metric) => metric.Replace("relevance-", "", StringComparison.Ordinal).Replace("attribution-", "", StringComparison.Ordinal);

    internal static void AssertLocalisationRan(EvaluateReport report)
    {
        foreach (var cell in report.Cells)
        {
            Assert.True(cell.Result is not null, $"{cell.Method} × {cell.Metric}: {cell.Error}");
            // attribution localisation is the share of the positive relevance: undefined (NaN) for a map without any
            // (e.g. an occlusion map of a model whose score rises wherever a patch is removed)
            Assert.All(cell.Result!.PerSample, v => Assert.True(v is >= 0 and <= 1 || double.IsNaN(v) && cell.Metric == "attribution-localisation", $"{cell.Method} × {cell.Metric}: {v}"));
        }
    }

    [SharedFact("data/segmentation")]
    public void Every_catalog_method_runs_through_every_localisation_metric_on_both_segmented_photos()
    {
        var report = new EvaluateJob(TinyConvNet(), new EvaluateOptions { Methods = [.. KnownAttributionMethods.All.Select(m => m.Name)], Metrics = Localisation })
            .Run(SegmentedPhotos());
        output.WriteLine($"tiny conv net, 32×32 (a smoke test of every method; the numbers of a real model are in MobileNetV2EvaluationTests)");
        output.WriteLine(Table(report));
        Assert.Equal(KnownAttributionMethods.All.Count, report.Methods.Count);
        Assert.Equal(Localisation.Length, report.Metrics.Count);
        AssertLocalisationRan(report);
        Assert.All(report.Cells, c => Assert.Equal(2, c.Result!.PerSample.Length));
    }
}
