using System.Text.Json;

namespace Lumen.Cli.Tests;

/// <summary><c>lumen lm …</c> end to end on the shared stories260K model.</summary>
public sealed class LmCommandTests : IDisposable
{
    private const string Model = "models/lm/stories260K/stories260K.bin";
    private readonly string folder = Directory.CreateTempSubdirectory("lumen-lm-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SharedFact(Model)]
    public void Generate_continues_greedily_like_llama2c_and_writes_a_report()
    {
        var run = LumenProcess.Run(folder, "lm", "generate", "--model", SharedData.Path(Model), "-n", "12", "-o", "gen");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.StartsWith("Once upon a time, there was a little girl", run.Output, StringComparison.Ordinal);
        Assert.Contains("tokens/s", run.Error);
        var html = File.ReadAllText(Path.Combine(folder, "gen", "report.html"));
        Assert.Contains("<svg", html);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "gen", "summary.json")));
        Assert.Equal(13, summary.RootElement.GetProperty("tokens").GetArrayLength());
    }

    [Fact]
    public void A_missing_model_file_is_a_clear_error()
    {
        var run = LumenProcess.Run(folder, "lm", "generate", "--model", "nope.bin");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nope.bin does not exist", run.Error);
    }
}
