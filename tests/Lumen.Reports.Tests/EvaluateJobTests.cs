using System.Text.Json;
using Lumen.Imaging;
using Lumen.Metrics;
using Lumen.Reports.Evaluate;

namespace Lumen.Reports.Tests;

public class EvaluateJobTests
{
    private static readonly EvaluateOptions Options = new()
    {
        Methods = ["saliency", "ixg"],
        Metrics = ["deletion", "sparseness", "pointing-game", "sufficiency"],
    };

    private static Image White(int width, int height)
    {
        var image = new Image(width, height, 1);
        Array.Fill(image.Pixels, (byte)255);
        return image;
    }

    [Fact]
    public void Scores_every_method_with_every_metric_and_explains_why_a_cell_did_not_run()
    {
        var report = new EvaluateJob(ToyClassifier.Create(), Options).Run([new("a", ToyClassifier.Picture(1))]);
        Assert.Equal(["saliency", "input-x-gradient"], report.Methods.Select(m => m.Name));
        Assert.Equal(8, report.Cells.Count);
        var deletion = report.Cell("saliency", "deletion").Result!;
        Assert.Equal(225, deletion.Curve!.Y.Length);                 // 224 steps + the start
        Assert.Equal(ScoreDirection.LowerIsBetter, deletion.Direction);
        Assert.Contains("--masks", report.Cell("saliency", "pointing-game").Error);
        Assert.Contains("two or more", report.Cell("input-x-gradient", "sufficiency").Error);
    }

    [Fact]
    public void Localisation_runs_when_every_image_has_a_mask_and_a_full_mask_always_hits()
    {
        var images = new EvaluateImage[] { new("a", ToyClassifier.Picture(1), White(16, 12)), new("b", ToyClassifier.Picture(2), White(16, 12)) };
        var report = new EvaluateJob(ToyClassifier.Create(), Options).Run(images);
        Assert.Equal([1.0, 1.0], report.Cell("saliency", "pointing-game").Result!.PerSample);
        Assert.NotNull(report.Cell("saliency", "sufficiency").Result);
    }

    [Fact]
    public void Ranks_follow_each_metric_direction_and_the_overall_ranking_averages_them()
    {
        static MetricCell Cell(string method, string metric, double value, ScoreDirection direction) =>
            new(method, metric, new MetricResult(metric, direction, value, [value]), 0, null);
        var metrics = new[] { new EvaluatedMetric(KnownMetrics.Find("deletion"), ScoreDirection.LowerIsBetter), new EvaluatedMetric(KnownMetrics.Find("sparseness"), ScoreDirection.HigherIsBetter) };
        var report = new EvaluateReport("toy", ["a"], [(0, "apple")], [("x", "X"), ("y", "Y"), ("z", "Z")], metrics,
        [
            Cell("x", "deletion", 0.2, ScoreDirection.LowerIsBetter), Cell("y", "deletion", 0.1, ScoreDirection.LowerIsBetter), Cell("z", "deletion", 0.2, ScoreDirection.LowerIsBetter),
            Cell("x", "sparseness", 0.9, ScoreDirection.HigherIsBetter), Cell("y", "sparseness", 0.5, ScoreDirection.HigherIsBetter),
            new MetricCell("z", "sparseness", null, 0, "failed"),
        ], new Dictionary<string, double>(), DateTime.UnixEpoch);
        Assert.Equal(new Dictionary<string, int> { ["x"] = 2, ["y"] = 1, ["z"] = 2 }, report.Ranks(metrics[0]));
        Assert.Equal(new Dictionary<string, int> { ["x"] = 1, ["y"] = 2 }, report.Ranks(metrics[1]));
        Assert.Equal(new[] { ("x", 1.5, 2), ("y", 1.5, 2), ("z", 2.0, 1) }, report.Overall());
    }

    [Fact]
    public void Writes_results_json_and_a_self_contained_page_with_directions_and_curves()
    {
        var report = new EvaluateJob(ToyClassifier.Create(), Options with { Metrics = ["deletion", "sparseness"] }).Run([new("a", ToyClassifier.Picture(1))]);
        var folder = Path.Combine(Path.GetTempPath(), "lumen-evaluate-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var html = File.ReadAllText(EvaluateReportWriter.Write(report, folder));
            Assert.Contains("↓ lower", html);
            Assert.Contains("↑ higher", html);
            Assert.Contains("<svg", html);
            Assert.DoesNotContain("src=\"http", html);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
            var deletion = json.RootElement.GetProperty("metrics")[0];
            Assert.Equal("deletion", deletion.GetProperty("name").GetString());
            Assert.Equal("LowerIsBetter", deletion.GetProperty("direction").GetString());
            Assert.Equal(225, deletion.GetProperty("cells")[0].GetProperty("curves")[0].GetProperty("y").GetArrayLength());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Meta_evaluation_says_which_metrics_react_to_randomised_maps()
    {
        var report = new EvaluateJob(ToyClassifier.Create(), Options with { Metrics = ["deletion", "sparseness"], MetaEvaluate = true }).Run([new("a", ToyClassifier.Picture(1))]);
        Assert.Equal(["deletion", "sparseness"], report.Meta.Select(m => m.Metric));
        var sparseness = report.Meta.Single(m => m.Metric == "sparseness");
        Assert.Equal(0, sparseness.Reactivity); // a permutation keeps the Gini index
        Assert.False(sparseness.Trusted);
        var html = EvaluateHtml.Render(report).ToString();
        Assert.Contains("Which metrics to trust", html);
        Assert.Contains("\"meta\"", EvaluateReportWriter.ToJson(report));
        // MetaQuantus: one score per metric over all methods; the input test keeps the maps, which sparseness only reads
        Assert.Equal(["deletion", "sparseness"], report.MetaConsistency.Select(m => m.Metric));
        var input = report.MetaConsistency.Single(m => m.Metric == "sparseness").Input!;
        Assert.Equal(1, input.IntraResilience);
        Assert.Equal(1, input.InterResilience);
        Assert.Contains("Meta-consistency of the metrics", html);
        Assert.Contains("\"metaConsistency\"", EvaluateReportWriter.ToJson(report));
    }

    [Fact]
    public void Method_settings_are_applied_and_recorded_and_a_stray_one_is_refused()
    {
        var options = Options with { Metrics = ["sparseness"], Settings = Lumen.Attribution.MethodSettings.Parse(["saliency.absolute=false"]) };
        var report = new EvaluateJob(ToyClassifier.Create(), options).Run([new("a", ToyClassifier.Picture(1))]);
        Assert.Equal("saliency.absolute=false", Assert.Single(report.Settings).ToString());
        using var json = JsonDocument.Parse(EvaluateReportWriter.ToJson(report));
        var methods = json.RootElement.GetProperty("methods");
        Assert.Equal("false", methods[0].GetProperty("settings").GetProperty("absolute").GetString());
        Assert.Empty(methods[1].GetProperty("settings").EnumerateObject());
        var stray = Options with { Settings = Lumen.Attribution.MethodSettings.Parse(["ig.steps=4"]) };
        var error = Assert.Throws<ArgumentException>(() => new EvaluateJob(ToyClassifier.Create(), stray).Run([new("a", ToyClassifier.Picture(1))]));
        Assert.Contains("integrated-gradients is not among the methods to run (saliency, input-x-gradient)", error.Message);
    }
}
