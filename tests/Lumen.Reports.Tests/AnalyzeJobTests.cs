using System.Text.Json;
using Lumen.Imaging;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Reports.Analyze;

namespace Lumen.Reports.Tests;

public class AnalyzeJobTests
{
    /// <summary>Six 4×4 grey digits in IDX form: image i is uniformly 40·i.</summary>
    private static string WriteIdx()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lumen-analyze-{Guid.NewGuid():N}.idx");
        var bytes = new List<byte> { 0, 0, 0x08, 3, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 4 };
        for (int i = 0; i < 6; i++) bytes.AddRange(Enumerable.Repeat((byte)(40 * i), 16));
        File.WriteAllBytes(path, [.. bytes]);
        return path;
    }

    private static readonly Preprocess Grey4 = new() { ResizeTo = (4, 4), Order = ChannelOrder.Grey, Scale = 1f / 255f, Mean = [0f], Std = [1f] };

    private static Sequential Model() => new(new Conv2d(1, 3, 3, padding: 1, rng: new Random(1)), new Relu(), new Flatten(), new Linear(48, 4, rng: new Random(2)));

    [Fact]
    public void Top_examples_report_shows_each_channels_best_examples_and_writes_its_summary()
    {
        var path = WriteIdx();
        try
        {
            var examples = ExampleSet.FromIdx(path, Grey4);
            var report = new TopExamplesJob("toy", Model(), new() { HookPoints = ["1", "3"], TopK = 3, BatchSize = 4 }).Run(examples);
            Assert.Equal(6, report.Record.Examples);
            Assert.Equal([0, 1, 2], report.Channels[0]);
            var html = TopExamplesHtml.Render(report).ToString();
            Assert.Contains("channel 2", html);
            Assert.Contains("#5", html);
            var folder = Path.Combine(Path.GetTempPath(), $"lumen-analyze-{Guid.NewGuid():N}");
            AnalyzeReportWriter.Write(TopExamplesHtml.Render(report), TopExamplesHtml.Summary(report), folder);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
            Assert.Equal(6, json.RootElement.GetProperty("count").GetInt32());
            Assert.Equal(3, json.RootElement.GetProperty("hookPoints")[0].GetProperty("channels")[0].GetProperty("top").GetArrayLength());
            Directory.Delete(folder, true);
            Assert.Throws<ArgumentOutOfRangeException>(() => new TopExamplesJob("toy", Model(), new() { HookPoints = ["1"], Channels = [7] }).Run(examples));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Similarity_report_has_a_unit_diagonal_and_a_best_match_per_layer()
    {
        var path = WriteIdx();
        try
        {
            var report = new SimilarityJob(("toy", Model()), null, new() { HookPoints = ["0", "1", "3"], BatchSize = 4 }).Run(ExampleSet.FromIdx(path, Grey4));
            for (int i = 0; i < 3; i++) Assert.Equal(1.0, report.Cka[i, i], 9);
            Assert.Equal(report.Cka[0, 1], report.Cka[1, 0], 9);
            Assert.Equal(3, report.Pairs.Count);
            Assert.All(report.Pairs, p => Assert.NotEqual(p.LayerA, p.LayerB));
            Assert.Equal(90, SimilarityHtml.Heatmap(report).Width);
            Assert.Contains("Best match per layer", SimilarityHtml.Render(report).ToString());
        }
        finally { File.Delete(path); }
    }
}
