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

    [SharedTheory(Model)]
    [InlineData("lens", "block 4  “ lo”", new string[0])]
    [InlineData("heads", "previous-token   L1H3", new[] { "--count", "2", "--length", "20" })]
    [InlineData("patch", "sanity: patching every activation restores 100.0 % of the clean metric", new string[0])]
    [InlineData("patch", "circuit faithfulness: 0 edges 0.00", new string[0])]
    [InlineData("attribute", "target “ She”", new[] { "--steps", "16" })]
    [InlineData("steer", "[0] Once upon a time", new[] { "-n", "8", "--coefficients", "0,2" })]
    [InlineData("sae", "explained variance", new[] { "--steps", "40", "--sequences", "4", "--length", "24", "--features", "64", "--k", "4" })]
    public void Each_analysis_subcommand_prints_its_result_and_writes_a_report(string subcommand, string expected, string[] extra)
    {
        var run = LumenProcess.Run(folder, ["lm", subcommand, "--model", SharedData.Path(Model), "-o", subcommand, .. extra]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains(expected, run.Output, StringComparison.Ordinal);
        var html = File.ReadAllText(Path.Combine(folder, subcommand, "report.html"));
        Assert.Contains(subcommand == "steer" ? "<table" : "<svg", html, StringComparison.Ordinal); // steer: a table of texts
        Assert.True(File.Exists(Path.Combine(folder, subcommand, "summary.json")));
    }

    [SharedFact(Model)]
    public void Lens_trains_saves_and_reuses_a_tuned_lens_that_beats_the_logit_lens_on_held_out_text()
    {
        string[] small = ["--steps", "40", "--sequences", "8", "--length", "48"];
        var trained = LumenProcess.Run(folder, ["lm", "lens", "--model", SharedData.Path(Model), "-o", "trained", "--train-tuned", "lens.safetensors", .. small]);
        Assert.True(trained.ExitCode == 0, trained.Error);
        Assert.Contains("held-out KL to the final layer", trained.Output, StringComparison.Ordinal);
        Assert.Contains("tuned lens: 40 steps", trained.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "lens.safetensors")));
        var html = File.ReadAllText(Path.Combine(folder, "trained", "report.html"));
        Assert.Contains("Tuned lens", html, StringComparison.Ordinal);
        Assert.Contains("KL divergence to the final distribution", html, StringComparison.Ordinal);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "trained", "summary.json"))))
        {
            var tuned = summary.RootElement.GetProperty("tunedLens");
            Assert.True(tuned.GetProperty("trained").GetBoolean());
            var logit = tuned.GetProperty("logitLensKl").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var lens = tuned.GetProperty("tunedLensKl").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(6, lens.Length);
            for (int l = 0; l < 5; l++) Assert.True(lens[l] < logit[l], $"layer {l}: tuned {lens[l]} vs logit {logit[l]}");
        }
        var reused = LumenProcess.Run(folder, ["lm", "lens", "--model", SharedData.Path(Model), "-o", "reused", "--tuned", "lens.safetensors", .. small]);
        Assert.True(reused.ExitCode == 0, reused.Error);
        Assert.Equal(TunedLines(trained.Output), TunedLines(reused.Output)); // the same translators read the same prompt and held-out text
        var both = LumenProcess.Run(folder, "lm", "lens", "--model", SharedData.Path(Model), "--tuned", "lens.safetensors", "--train-tuned", "other.safetensors");
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("give one of them", both.Error, StringComparison.Ordinal);
    }

    [SharedFact(Model)]
    public void Lens_trains_a_tuned_lens_on_a_text_file_and_holds_out_every_fifth_piece()
    {
        File.WriteAllText(Path.Combine(folder, "corpus.txt"), string.Join("\n\n",
            "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog.",
            "One day, Tom went to the store with his mom. He saw a big red ball and wanted it very much.",
            "The sun was shining and the birds were singing. Sue and Ben ran to the tree to find the cat.",
            "Mia had a toy car. She liked to push it on the floor. Her brother wanted to play with it too.",
            "The little bird could not fly. It was sad. A kind boy helped it and gave it some water."));
        var run = LumenProcess.Run(folder, "lm", "lens", "--model", SharedData.Path(Model), "-o", "corpus", "--train-tuned", "corpus.safetensors", "--corpus", "corpus.txt", "--length", "16", "--steps", "20");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("held-out KL to the final layer (nats), ", run.Output, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "corpus", "summary.json")));
        var tuned = summary.RootElement.GetProperty("tunedLens");
        int train = tuned.GetProperty("trainingPositions").GetInt32(), heldOut = tuned.GetProperty("heldOutPositions").GetInt32();
        Assert.True(heldOut > 0 && train > 3 * heldOut, $"{train} training and {heldOut} held-out positions");
        Assert.Contains("pieces of corpus.txt", File.ReadAllText(Path.Combine(folder, "corpus", "report.html")), StringComparison.Ordinal);
        var missing = LumenProcess.Run(folder, "lm", "lens", "--model", SharedData.Path(Model), "--train-tuned", "x.safetensors", "--corpus", "nope.txt");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("--corpus", missing.Error, StringComparison.Ordinal);
    }

    private static string TunedLines(string output) => output[output.IndexOf("held-out KL", StringComparison.Ordinal)..];

    [Fact]
    public void A_missing_model_file_is_a_clear_error()
    {
        var run = LumenProcess.Run(folder, "lm", "generate", "--model", "nope.bin");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nope.bin does not exist", run.Error);
    }

    [SharedFact(Model)]
    public void Prompts_of_different_lengths_are_refused_by_patch()
    {
        var run = LumenProcess.Run(folder, "lm", "patch", "--model", SharedData.Path(Model), "--corrupted", "Once upon a time");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("they must align", run.Error);
    }
}
