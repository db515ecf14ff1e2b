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
    public void Help_documents_every_explain_option()
    {
        var run = LumenProcess.Run(AppContext.BaseDirectory, "explain", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--model", "--target", "--methods", "--out", "--labels", "--preprocess", "--threads" })
            Assert.Contains(option, run.Output);
    }
}
