using System.Text.Json;

namespace Lumen.Cli.Tests;

/// <summary><c>lumen explain</c> end to end on the bundled model zoo and sample photo, and its refusals.</summary>
public sealed class ExplainCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lumen-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void With_no_image_it_explains_the_bundled_cat_on_the_default_model()
    {
        var run = LumenProcess.Run(folder, "explain", "--methods", "saliency,ixg", "--out", "report");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("model    mobilenetv2", run.Output);
        Assert.Matches(@"chelsea: top-5\s+\S+ %\s+282  tiger cat", run.Output);
        var report = Path.Combine(folder, "report");
        foreach (var file in new[] { "report.html", "summary.json", "chelsea.saliency.png", "chelsea.saliency.npy", "chelsea.input-x-gradient.png", "chelsea.input-x-gradient.npy" })
            Assert.True(File.Exists(Path.Combine(report, file)), $"{file} missing from {report}");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "summary.json")));
        var json = summary.RootElement.GetRawText();
        Assert.Contains("\"tiger cat\"", json);
        Assert.Contains("282", json);
        var html = File.ReadAllText(Path.Combine(report, "report.html"));
        Assert.Contains("data:image/png;base64,", html);
        Assert.DoesNotContain("src=\"http", html);
    }

    [Fact]
    public void A_label_target_explains_that_class()
    {
        var run = LumenProcess.Run(folder, "explain", "--methods", "saliency", "--target", "Egyptian cat", "--out", "report");
        Assert.True(run.ExitCode == 0, run.Error);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report", "summary.json")));
        Assert.Contains("285", summary.RootElement.GetRawText());
    }

    [Theory]
    [InlineData("cat", "matches 16 classes")]
    [InlineData("no-such-class-xyz", "no-such-class-xyz")]
    public void A_target_label_that_does_not_name_one_class_is_refused(string target, string expected)
    {
        var run = LumenProcess.Run(folder, "explain", "--methods", "saliency", "--target", target);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_unknown_method_is_refused_with_the_known_names()
    {
        var run = LumenProcess.Run(folder, "explain", "--methods", "saliency,telepathy");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("telepathy", run.Error);
        Assert.Contains("integrated-gradients", run.Error);
    }

    [Fact]
    public void A_missing_image_is_refused_naming_the_file()
    {
        var run = LumenProcess.Run(folder, "explain", "no-such-image.png");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no-such-image.png", run.Error);
    }

    [Fact]
    public void An_unknown_model_is_refused()
    {
        var run = LumenProcess.Run(folder, "explain", "--model", "resnet-9000");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("resnet-9000", run.Error);
    }

    [Theory]
    [InlineData("ig", "integrated-gradients")]
    [InlineData("grad, ixg", "saliency,input-x-gradient")]
    [InlineData("IG,integrated-gradients", "integrated-gradients")]
    public void Method_lists_accept_aliases_and_drop_repeats(string list, string expected) =>
        Assert.Equal(expected, string.Join(",", ExplainCommand.ParseMethods(list)));

    [Fact]
    public void All_means_the_whole_catalog() =>
        Assert.Equal(Lumen.Attribution.KnownAttributionMethods.All.Select(m => m.Name), ExplainCommand.ParseMethods("all"));

    [Fact]
    public void An_empty_method_list_is_refused() =>
        Assert.Throws<ArgumentException>(() => ExplainCommand.ParseMethods(" , "));

    [Fact]
    public void Set_changes_a_methods_options_and_the_summary_records_them()
    {
        var two = LumenProcess.Run(folder, "explain", "--methods", "ig", "--set", "ig.steps=2", "--set", "IG.Quadrature=RiemannLeft", "--out", "two");
        Assert.True(two.ExitCode == 0, two.Error);
        Assert.Contains("settings integrated-gradients.steps=2 integrated-gradients.quadrature=RiemannLeft", two.Output);
        var three = LumenProcess.Run(folder, "explain", "--methods", "ig", "--set", "ig.steps=3", "--set", "ig.quadrature=riemann-left", "--out", "three");
        Assert.True(three.ExitCode == 0, three.Error);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "two", "summary.json")));
        var method = summary.RootElement.GetProperty("images")[0].GetProperty("methods")[0];
        Assert.Equal("2", method.GetProperty("settings").GetProperty("steps").GetString());
        Assert.Equal("RiemannLeft", method.GetProperty("settings").GetProperty("quadrature").GetString());
        var mapTwo = Lumen.Tensors.IO.Npy.Read(Path.Combine(folder, "two", "chelsea.integrated-gradients.npy")).ToArray();
        var mapThree = Lumen.Tensors.IO.Npy.Read(Path.Combine(folder, "three", "chelsea.integrated-gradients.npy")).ToArray();
        Assert.NotEqual(mapTwo, mapThree);
        Assert.Contains("integrated-gradients.steps=2", File.ReadAllText(Path.Combine(folder, "two", "report.html")));
    }

    [Fact]
    public void A_bad_setting_is_refused_before_any_work_with_the_methods_options()
    {
        var run = LumenProcess.Run(folder, "explain", "--methods", "ig", "--set", "ig.stepz=3");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--set: integrated-gradients.stepz=3: integrated-gradients has no option 'stepz'", run.Error);
        Assert.Contains("steps (int, default 50)", run.Error);
        Assert.DoesNotContain("model    ", run.Output);
        var value = LumenProcess.Run(folder, "explain", "--methods", "occlusion", "--set", "occlusion.window=big");
        Assert.Equal(1, value.ExitCode);
        Assert.Contains("cannot read 'big' as int[]", value.Error);
        var stray = LumenProcess.Run(folder, "explain", "--methods", "saliency", "--set", "occlusion.window=8");
        Assert.Equal(1, stray.ExitCode);
        Assert.Contains("occlusion is not among the methods to run (saliency)", stray.Error);
    }
}
