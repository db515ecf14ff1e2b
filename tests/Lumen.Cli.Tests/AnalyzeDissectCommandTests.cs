using System.Text.Json;

namespace Lumen.Cli.Tests;

/// <summary><c>lumen analyze dissect</c>, <c>top-examples --checkpoint/--resume</c>, <c>ablate --projection</c> and the default layers of <c>top-examples</c>, <c>ablate</c> and <c>tcav</c> end to end, small.</summary>
public sealed class AnalyzeDissectCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lumen-cli-dissect-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Dissect_writes_a_report_with_every_unit_of_squeezenets_first_activation()
    {
        var run = LumenProcess.Run(folder, "analyze", "dissect", "-m", "squeezenet", "-n", "6", "--out", "d", "--threads", "2");
        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        Assert.Contains("conv1_2", run.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "d", "summary.json")));
        var layer = json.RootElement.GetProperty("layers")[0];
        Assert.Equal("conv1_2", layer.GetProperty("hookPoint").GetString());
        Assert.Equal(64, layer.GetProperty("units").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(folder, "d", "report.html")));
        var missing = LumenProcess.Run(folder, "analyze", "dissect", "-m", "squeezenet", "--concepts", Path.Combine(folder, "nope"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);
    }

    /// <summary>Without --layers, a model whose ONNX nodes are named after their outputs (SqueezeNet: no "relu" in
    /// any name) gets its rectifiers by role, evenly spaced from the first to the last.</summary>
    [Fact]
    public void Top_examples_default_layers_are_squeezenets_rectifiers()
    {
        var run = LumenProcess.Run(folder, "analyze", "top-examples", "-m", "squeezenet", "--batch", "5", "--top", "1", "--channels", "0", "--out", "r");
        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "r", "summary.json")));
        var hooks = json.RootElement.GetProperty("hookPoints").EnumerateArray().Select(h => h.GetProperty("name").GetString()).ToList();
        Assert.Equal(12, hooks.Count);
        Assert.Equal("conv1_2", hooks[0]);
        Assert.Equal("conv10_2", hooks[^1]);
    }

    /// <summary>ablate and tcav pick a layer of the chosen model when none is named (tcav's default used to be a
    /// MobileNetV2 node, which other zoo models do not have; ablate demanded --layers).</summary>
    [Fact]
    public void Ablate_and_tcav_default_to_a_layer_of_the_chosen_model()
    {
        var ablate = LumenProcess.Run(folder, "analyze", "ablate", "-m", "squeezenet", "--channels", "0", "--out", "a0");
        Assert.True(ablate.ExitCode == 0, ablate.Error + ablate.Output);
        Assert.Contains("layer    fire6_expand1x1_2", ablate.Output);
        var tcav = LumenProcess.Run(folder, "analyze", "tcav", "-m", "squeezenet", "--random-sets", "3", "--per-set", "4", "--out", "t0");
        Assert.True(tcav.ExitCode == 0, tcav.Error + tcav.Output);
        Assert.Contains("layer fire9_expand1x1_2", tcav.Output);
    }

    [Fact]
    public void Top_examples_resumes_from_its_checkpoint_and_ablate_draws_a_tsne()
    {
        string[] common = ["analyze", "top-examples", "-m", "squeezenet", "-l", "conv1_2", "--batch", "2", "--top", "2", "--channels", "0", "--checkpoint", "state.bin"];
        var first = LumenProcess.Run(folder, [.. common, "--out", "t1"]);
        Assert.True(first.ExitCode == 0, first.Error + first.Output);
        Assert.True(File.Exists(Path.Combine(folder, "state.bin")));
        var again = LumenProcess.Run(folder, [.. common, "--resume", "--out", "t2"]);
        Assert.True(again.ExitCode == 0, again.Error + again.Output);
        Assert.Contains("resumed  after", again.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(folder, "t1", "summary.json")).Split("\"seconds\"")[0],
            File.ReadAllText(Path.Combine(folder, "t2", "summary.json")).Split("\"seconds\"")[0].Replace("\"resumedFrom\": 5", "\"resumedFrom\": 0"));
        Assert.Equal(1, LumenProcess.Run(folder, "analyze", "top-examples", "--resume").ExitCode);

        var ablate = LumenProcess.Run(folder, "analyze", "ablate", "-m", "squeezenet", "-l", "conv1_2", "--channels", "0", "--projection", "Tsne", "--out", "a");
        Assert.True(ablate.ExitCode == 0, ablate.Error + ablate.Output);
        Assert.Contains("\"projectionMethod\": \"t-SNE\"", File.ReadAllText(Path.Combine(folder, "a", "summary.json")));
    }
}
