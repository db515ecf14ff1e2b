using System.Text.Json;

namespace Lumen.Cli.Tests;

/// <summary><c>lumen evaluate --masks</c> on the segmented photos and <c>lumen evaluate roar</c> end to end, small.</summary>
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lumen-cli-evaluate-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SharedFact("data/segmentation")]
    public void Masks_from_annotations_json_drive_the_localisation_metrics()
    {
        var data = SharedData.Path("data/segmentation");
        var run = LumenProcess.Run(folder, "evaluate", Path.Combine(data, "bird_segmentation.bmp"), Path.Combine(data, "dog_segmentation_256.bmp"),
            "--masks", data, "--methods", "grad-cam", "--metrics", "pointing-game,relevance-mass-accuracy", "--out", "report");
        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report", "results.json")));
        var cell = json.RootElement.GetProperty("metrics")[1].GetProperty("cells")[0];
        Assert.Equal(2, cell.GetProperty("perImage").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, cell.GetProperty("error").ValueKind);
    }

    [SharedFact("data/mnist")]
    public void Roar_writes_its_plots_and_numbers()
    {
        var run = LumenProcess.Run(folder, "evaluate", "roar", "--data", SharedData.Path("data/mnist"), "--methods", "saliency", "--fractions", "0.5",
            "--fill", "noisy-linear", "--train", "200", "--test", "100", "--epochs", "1", "--out", "roar");
        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        foreach (var file in new[] { "report.html", "roar.svg", "kar.svg", "retraining.json" })
            Assert.True(File.Exists(Path.Combine(folder, "roar", file)), $"{file} missing");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "roar", "retraining.json")));
        Assert.Equal(4, json.RootElement.GetProperty("curves").GetArrayLength()); // saliency and random, ROAR and KAR
        Assert.Equal(JsonValueKind.Object, json.RootElement.GetProperty("dataRandomisation").ValueKind);
        Assert.Contains("random", run.Output);
        Assert.Contains("noisy linear imputation", run.Output);
    }

    [Fact]
    public void Roar_refuses_a_missing_data_folder_and_bad_fractions()
    {
        var missing = LumenProcess.Run(folder, "evaluate", "roar", "--data", Path.Combine(folder, "nope"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("--data", missing.Error);
        var bad = LumenProcess.Run(folder, "evaluate", "roar", "--data", folder, "--fractions", "2");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--fractions", bad.Error);
        var fill = LumenProcess.Run(folder, "evaluate", "roar", "--data", folder, "--fill", "zero");
        Assert.Equal(1, fill.ExitCode);
        Assert.Contains("--fill", fill.Error);
    }

    [Fact]
    public void Evaluate_refuses_a_bad_setting_naming_it()
    {
        var run = LumenProcess.Run(folder, "evaluate", "--methods", "ig", "--set", "ig.steps=-1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("integrated-gradients.steps=-1: out of range, steps must be ≥ 1", run.Error);
    }
}
