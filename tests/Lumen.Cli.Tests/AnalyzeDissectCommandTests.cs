using System.Text.Json;

namespace Lumen.Cli.Tests;

/// <summary><c>lumen analyze dissect</c>, <c>top-examples --checkpoint/--resume</c> and <c>ablate --projection</c> end to end, small.</summary>
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
