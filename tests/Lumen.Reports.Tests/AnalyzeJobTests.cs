using System.Text.Json;
using Lumen.Analysis.Recording;
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

    /// <summary>Examples are shown as thumbnails: a 224-pixel photo with its 7×7 map comes out 128 pixels wide (aspect
    /// kept), a 4-pixel digit is enlarged to at least 96, and the page marks them as thumbnails.</summary>
    [Fact]
    public void Top_examples_are_thumbnails()
    {
        var map = new float[49];
        map[24] = 1f;
        var top = new TopExample(0, 1f, 3, 3, map, 7, 7);
        var photo = TopExamplesHtml.Overlay(new Image(224, 168, 3), top);
        Assert.Equal((128, 96), (photo.Width, photo.Height));
        var digit = TopExamplesHtml.Overlay(new Image(4, 4, 1), top with { Map = null });
        Assert.True(digit.Width >= 96 && digit.Width == digit.Height, $"{digit.Width}×{digit.Height}");
        var html = new Lumen.Reports.Html.HtmlDocument("t").Figures([(photo, "a", null)], Lumen.Reports.Html.FigureSize.Thumbnail).ToString();
        Assert.Contains("<img class=\"thumb\"", html);
    }

    [Fact]
    public void An_interrupted_top_examples_run_resumes_from_its_checkpoint_to_the_same_result()
    {
        var path = WriteIdx();
        var checkpoint = Path.Combine(Path.GetTempPath(), $"lumen-checkpoint-{Guid.NewGuid():N}.bin");
        try
        {
            var examples = ExampleSet.FromIdx(path, Grey4);
            var options = new TopExamplesOptions { HookPoints = ["1", "3"], TopK = 2, BatchSize = 1, Checkpoint = checkpoint, CheckpointEvery = 1, Resume = true };
            var whole = new TopExamplesJob("toy", Model(), options with { Checkpoint = null }).Run(examples);

            using var stop = new CancellationTokenSource();
            var interrupt = new Progress(step => { if (step.Done == 2) stop.Cancel(); });
            Assert.Throws<OperationCanceledException>(() => new TopExamplesJob("toy", Model(), options).Run(examples, interrupt, stop.Token));
            Assert.True(File.Exists(checkpoint));

            var resumed = new TopExamplesJob("toy", Model(), options).Run(examples);   // a fresh job, as in a new process
            Assert.Equal(3, resumed.ResumedFrom);
            Assert.Equal(6, resumed.Record.Examples);
            for (int h = 0; h < 2; h++)
            {
                Assert.Equal(whole.Record.HookPoints[h].Statistics, resumed.Record.HookPoints[h].Statistics);
                Assert.Equal(whole.Record.HookPoints[h].TopExamples.SelectMany(t => t).Select(t => (t.Example, t.Score)),
                    resumed.Record.HookPoints[h].TopExamples.SelectMany(t => t).Select(t => (t.Example, t.Score)));
            }
            var other = ExampleSet.FromIdx(path, Grey4, limit: 5);
            Assert.Contains("delete it or drop --resume", Assert.Throws<InvalidOperationException>(() => new TopExamplesJob("toy", Model(), options).Run(other)).Message);
        }
        finally
        {
            File.Delete(path);
            File.Delete(checkpoint);
        }
    }

    /// <summary>A synchronous progress sink (System.Progress posts to the thread pool).</summary>
    private sealed class Progress(Action<Lumen.Reports.Explain.ExplainStep> report) : IProgress<Lumen.Reports.Explain.ExplainStep>
    {
        public void Report(Lumen.Reports.Explain.ExplainStep value) => report(value);
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

public class AnalyzeReportsTests
{
    private static string WriteIdx(int count)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lumen-analyze-{Guid.NewGuid():N}.idx");
        var bytes = new List<byte> { 0, 0, 0x08, 3, 0, 0, 0, (byte)count, 0, 0, 0, 4, 0, 0, 0, 4 };
        for (int i = 0; i < count; i++) bytes.AddRange(Enumerable.Repeat((byte)(10 * i), 16));
        File.WriteAllBytes(path, [.. bytes]);
        return path;
    }

    private static readonly Preprocess Grey4 = new() { ResizeTo = (4, 4), Order = ChannelOrder.Grey, Scale = 1f / 255f, Mean = [0f], Std = [1f] };

    [Fact]
    public void A_limit_on_idx_examples_spreads_them_over_the_file()
    {
        var path = WriteIdx(10);
        try
        {
            var set = ExampleSet.FromIdx(path, Grey4, limit: 4);
            Assert.Equal(4, set.Count);
            Assert.Equal(["#0", "#2", "#5", "#7"], Enumerable.Range(0, 4).Select(set.Name));
            Assert.Equal(50, set.Display(2).Pixels[0]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void An_image_folder_names_its_examples_without_decoding_them()
    {
        // a report names every channel's top examples (thousands of times on a real model): reading the image for
        // each name made `lumen analyze top-examples` run for minutes on five photos
        var folder = Path.Combine(Path.GetTempPath(), $"lumen-names-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "b.png"), [1, 2, 3]);       // not a PNG: decoding it throws
            File.WriteAllBytes(Path.Combine(folder, "a.jpg"), [4, 5, 6]);
            var set = ExampleSet.FromImageFolder(folder, Grey4);
            Assert.Equal(["a", "b"], Enumerable.Range(0, set.Count).Select(set.Name));
            Assert.ThrowsAny<Exception>(() => set.Display(0));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Ablation_report_has_one_effect_per_channel_and_a_projection_per_example()
    {
        var path = WriteIdx(8);
        try
        {
            var model = new Sequential(new Conv2d(1, 3, 3, padding: 1, rng: new Random(1)), new Relu(), new Flatten(), new Linear(48, 4, rng: new Random(2)));
            var report = new AblationJob("toy", model, "1", Lumen.Analysis.Patching.AblationMode.Zero).Run(ExampleSet.FromIdx(path, Grey4));
            Assert.Equal([0, 1, 2], report.Effects.Select(e => e.Channel));
            Assert.Equal(8, report.Projection.Count);
            Assert.Contains("PCA", AblationHtml.Render(report).ToString());
            Assert.Equal(0, model.Hooks.Count);
            var tsne = new AblationJob("toy", model, "1", Lumen.Analysis.Patching.AblationMode.Zero, projectionMethod: Lumen.Analysis.Projection.ProjectionMethod.Tsne).Run(ExampleSet.FromIdx(path, Grey4));
            Assert.Equal(("t-SNE", 8, 0), (tsne.ProjectionMethod, tsne.Projection.Count, tsne.ExplainedVarianceRatio.Count));
            Assert.NotEqual(report.Projection.Select(p => p.X), tsne.Projection.Select(p => p.X));
            Assert.Contains("t-SNE of the layer", AblationHtml.Render(tsne).ToString());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Weights_report_draws_the_first_layer_filters_and_the_spectra()
    {
        var model = new Sequential(new Conv2d(3, 4, 3, rng: new Random(1)), new Relu(), new Flatten(), new Linear(4, 2, rng: new Random(2)));
        var report = WeightsReport.Create("toy", model);
        Assert.Equal("0.weight", report.FirstLayer);
        Assert.Equal(2 + 4 * (36 + 2), report.Filters!.Width); // 4 tiles of 3·12 px with 2 px padding
        Assert.Equal(["0.weight", "3.weight"], report.Spectra.Select(s => s.Name));
        Assert.Contains("Singular value spectra", WeightsHtml.Render(report).ToString());
        var filters = FilterImages.Render(Lumen.Tensors.Tensor.FromArray([1f, -1f, 0f, 0.5f], 1, 1, 2, 2), zoom: 1);
        Assert.Equal([255, 0, 128, 191], new[] { filters[2, 2, 0], filters[3, 2, 0], filters[2, 3, 0], filters[3, 3, 0] });
    }

    [Fact]
    public void Scatter_chart_draws_one_circle_per_point_and_a_legend_per_group()
    {
        var svg = new Lumen.Reports.Html.SvgScatterChart("x", "y").Add("a", [0, 1], [0, 1]).Add("b", [2], [3]).Render();
        Assert.Equal(3 + 2, svg.Split("<circle").Length - 1);
        Assert.Contains(">b</text>", svg);
    }

    [Fact]
    public void Probe_report_scores_every_layer_and_the_input_on_task_and_control()
    {
        var images = Path.Combine(Path.GetTempPath(), $"lumen-probe-{Guid.NewGuid():N}.idx");
        var labels = images + ".labels";
        var bytes = new List<byte> { 0, 0, 0x08, 3, 0, 0, 0, 40, 0, 0, 0, 4, 0, 0, 0, 4 };
        var labelBytes = new List<byte> { 0, 0, 0x08, 1, 0, 0, 0, 40 };
        for (int i = 0; i < 40; i++)
        {
            bytes.AddRange(Enumerable.Range(0, 16).Select(p => (byte)(i % 2 == 0 ? (p < 8 ? 200 : 0) : (p < 8 ? 0 : 200))));  // class = which half is lit
            labelBytes.Add((byte)(i % 2));
        }
        File.WriteAllBytes(images, [.. bytes]);
        File.WriteAllBytes(labels, [.. labelBytes]);
        try
        {
            var model = new Sequential(new Conv2d(1, 3, 3, padding: 1, rng: new Random(1)), new Relu(), new Flatten(), new Linear(48, 2, rng: new Random(2)));
            var report = new ProbeJob("toy", model, ["1", "3"], new Lumen.Analysis.Probing.ProbeOptions { Epochs = 10 }, controlTypes: 5)
                .Run(ExampleSet.FromIdx(images, Grey4, labelsPath: labels));
            Assert.Equal(["input", "1", "3"], report.Layers.Select(l => l.Layer));
            Assert.Equal((28, 12), (report.Train, report.Test));
            Assert.Equal(1.0, report.Layers[0].Linear);           // the input separates the classes exactly
            Assert.Contains("selectivity", ProbeHtml.Render(report).ToString());
            Assert.Throws<ArgumentException>(() => new ProbeJob("toy", model, ["1"]).Run(ExampleSet.FromIdx(images, Grey4)));
        }
        finally
        {
            File.Delete(images);
            File.Delete(labels);
        }
    }
}
