namespace Lumen.Cli.Tests;

/// <summary><c>lumen models</c> and <c>lumen methods</c> list what <c>lumen explain</c> accepts.</summary>
public sealed class ListingCommandTests
{
    [Fact]
    public void Models_lists_the_three_imagenet_classifiers_with_the_default_marked()
    {
        var run = LumenProcess.Run(AppContext.BaseDirectory, "models");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("mobilenetv2 (default)", run.Output);
        Assert.Contains("squeezenet", run.Output);
        Assert.Contains("tiny-darknet", run.Output);
        Assert.Contains("licence", run.Output);
    }

    [Fact]
    public void Methods_lists_every_catalog_entry_by_family()
    {
        var run = LumenProcess.Run(AppContext.BaseDirectory, "methods");
        Assert.Equal(0, run.ExitCode);
        foreach (var m in Lumen.Attribution.KnownAttributionMethods.All)
            Assert.Contains(m.Name, run.Output);
        Assert.StartsWith("gradient", run.Output);
    }

    [Fact]
    public void Methods_options_lists_a_methods_options_with_types_and_defaults()
    {
        var run = LumenProcess.Run(AppContext.BaseDirectory, "methods", "--options", "occ");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Matches(@"window\s+default 16x16\s+int\[\]", run.Output);
        Assert.Matches(@"baseline\s+default zero\s+baseline", run.Output);
        var none = LumenProcess.Run(AppContext.BaseDirectory, "methods", "--options", "guided-backprop");
        Assert.Contains("no settable options", none.Output);
        var unknown = LumenProcess.Run(AppContext.BaseDirectory, "methods", "--options", "telepathy");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("telepathy", unknown.Error);
    }

    [Fact]
    public void Help_documents_every_explain_option()
    {
        var run = LumenProcess.Run(AppContext.BaseDirectory, "explain", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--model", "--target", "--methods", "--out", "--labels", "--preprocess", "--threads", "--set" })
            Assert.Contains(option, run.Output);
    }

    [Fact]
    public void Bench_profile_prints_the_time_per_op_type_and_the_slowest_nodes()
    {
        var model = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "models", "imagenet"), "squeezenet*.onnx").First();
        var run = LumenProcess.Run(AppContext.BaseDirectory, "bench", model, "--iterations", "2", "--warmup", "0", "--threads", "1", "--profile", "3");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("\"engine\":\"lumen\"", run.Output);
        Assert.Contains("\"threads\":1,", run.Output);
        Assert.Matches(@"""warmup_s"":\d+\.\d", run.Output);
        Assert.Contains("2 pass(es)", run.Error);
        Assert.Matches(@"Conv\s+\d+\s+[\d.]+\s+[\d.]+ %", run.Error);
        Assert.Contains("slowest 3 nodes", run.Error);
        var bad = LumenProcess.Run(AppContext.BaseDirectory, "bench", model, "--iterations", "1", "--profile", "0");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--profile N lists the N slowest nodes; N must be at least 1, got 0", bad.Error);
        var noThreads = LumenProcess.Run(AppContext.BaseDirectory, "bench", model, "--iterations", "1", "--threads", "0");
        Assert.Equal(1, noThreads.ExitCode);
        Assert.Contains("--threads must be at least 1, got 0", noThreads.Error);
        var noWarmup = LumenProcess.Run(AppContext.BaseDirectory, "bench", model, "--iterations", "1", "--warmup", "-1");
        Assert.Equal(1, noWarmup.ExitCode);
        Assert.Contains("--warmup is a number of seconds, at least 0; got -1", noWarmup.Error);
    }
}
