using System.Text.Json;
using Lumen.Analysis.Dissection;
using Lumen.Imaging;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Reports.Analyze;

namespace Lumen.Reports.Tests;

public class DissectionJobTests
{
    [Fact]
    public void A_concept_folder_gives_one_concept_per_folder_with_masks_or_whole_images()
    {
        var root = Path.Combine(Path.GetTempPath(), $"lumen-concepts-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "red"));
            Directory.CreateDirectory(Path.Combine(root, "color", "teal"));
            new Image(4, 4, 3, [.. Enumerable.Repeat(new byte[] { 255, 0, 0 }, 16).SelectMany(p => p)]).SavePng(Path.Combine(root, "red", "a.png"));
            new Image(4, 4, 3).SavePng(Path.Combine(root, "red", "b.png"));
            var mask = new Image(4, 4, 1);
            mask.Pixels[0] = mask.Pixels[5] = 255;                                   // pixels (0, 0) and (1, 1)
            mask.SavePng(Path.Combine(root, "red", "b_mask.png"));
            new Image(4, 4, 3).SavePng(Path.Combine(root, "color", "teal", "c.png"));

            var set = ConceptFolder.Load(root, size: 8);
            Assert.Equal([new Concept("teal", "color"), new Concept("red", "custom")], set.Concepts);
            Assert.Equal(3, set.Count);
            Assert.Equal(0, set.Sample(0).Masks.Single().Concept);                   // color/teal/c.png first
            Assert.Equal(1, set.Sample(1).Masks.Single().Concept);                   // red/a.png, the whole image
            Assert.Equal(64, set.Sample(1).Masks.Single().Area);
            Assert.Equal(1f, set.Sample(1).Image.ToArray()[0]);
            var masked = set.Sample(2).Masks.Single();                                // red/b.png with its mask, doubled to 8×8
            Assert.Equal(8, masked.Area);
            Assert.True(masked.Pixels[0] && masked.Pixels[1] && masked.Pixels[8] && masked.Pixels[2 * 8 + 2] && !masked.Pixels[2]);
            Assert.Contains("holds no concept", Assert.Throws<ArgumentException>(() => ConceptFolder.Load(Path.Combine(root, "red"), 8)).Message);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void Dissection_report_lists_every_unit_and_writes_its_summary()
    {
        var model = new Sequential(new Conv2d(3, 6, 3, padding: 1, rng: new Random(1)), new Relu());
        var set = GeneratedConcepts.Create(count: 8, size: 16, seed: 1);
        var options = new DissectionOptions { HookPoints = ["1"], Quantile = 0.05, BatchSize = 3, Net2Vec = new() { Steps = 20, PixelsPerImage = 8 } };
        var report = new DissectionJob("toy", model, Preprocess.UnitRgb, options, shownUnits: 2).Run(set);
        var layer = report.Result["1"];
        Assert.Equal(6, layer.Units.Count);
        Assert.NotEmpty(layer.Combinations);
        var html = DissectionHtml.Render(report).ToString();
        Assert.Contains("Every unit", html);
        Assert.Contains("Net2Vec", html);
        Assert.Equal(Math.Min(2, layer.Interpretable), html.Split("<h3>unit ").Length - 1);
        var folder = Path.Combine(Path.GetTempPath(), $"lumen-dissect-{Guid.NewGuid():N}");
        AnalyzeReportWriter.Write(DissectionHtml.Render(report), DissectionHtml.Summary(report), folder);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        var units = json.RootElement.GetProperty("layers")[0].GetProperty("units");
        Assert.Equal(6, units.GetArrayLength());
        Assert.Equal(layer.Units[0].Iou, units[0].GetProperty("iou").GetDouble());
        Directory.Delete(folder, true);
    }

    [Fact]
    public void The_input_function_applies_the_models_channel_order_and_normalisation()
    {
        var rgb = Lumen.Tensors.Tensor.FromArray([1f, 0f, 0f, 0f, 0f, 1f], 1, 3, 1, 2);  // pixel 0 red, pixel 1 blue
        var x = DissectionJob.Input(Preprocess.SqueezeNet)(rgb).ToArray();                  // BGR, 0..255
        Assert.Equal([0f, 255f, 0f, 0f, 255f, 0f], x);
    }
}
