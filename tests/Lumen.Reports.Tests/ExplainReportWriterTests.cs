using System.Text.Json;
using Lumen.Reports.Explain;
using Lumen.Tensors.IO;

namespace Lumen.Reports.Tests;

public class ExplainReportWriterTests
{
    [Fact]
    public void Writes_the_report_the_summary_and_per_method_png_and_npy()
    {
        var report = new ExplainJob(ToyClassifier.Create(), new ExplainOptions { Methods = ["saliency", "ig"] })
            .Run([("first", ToyClassifier.Picture(1)), ("second", ToyClassifier.Picture(2))]);
        var folder = Directory.CreateTempSubdirectory("lumen-report-").FullName;
        try
        {
            var html = ExplainReportWriter.Write(report, folder);
            Assert.Equal(Path.Combine(folder, "report.html"), html);
            foreach (var image in report.Images)
                foreach (var m in image.Methods)
                {
                    Assert.True(File.Exists(Path.Combine(folder, $"{image.Name}.{m.Method}.png")));
                    Assert.Equal(m.Map!.ToArray(), Npy.Read(Path.Combine(folder, $"{image.Name}.{m.Method}.npy")).ToArray());
                }

            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
            var images = summary.RootElement.GetProperty("images");
            Assert.Equal("toy", summary.RootElement.GetProperty("model").GetString());
            Assert.Equal(2, images.GetArrayLength());
            var ig = images[0].GetProperty("methods")[1];
            Assert.Equal("integrated-gradients", ig.GetProperty("method").GetString());
            Assert.Equal(JsonValueKind.Number, ig.GetProperty("delta").ValueKind);
            Assert.Equal("first.integrated-gradients.npy", ig.GetProperty("npy").GetString());

            var page = File.ReadAllText(html);
            Assert.Contains("Integrated Gradients", page);
            Assert.Contains("data:image/png;base64,", page);
            Assert.DoesNotContain("<link", page);                                     // self-contained: nothing fetched
            Assert.DoesNotContain("src=\"http", page);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("cat photo (1)", "cat_photo__1_")]
    [InlineData("ok-name_2.v", "ok-name_2.v")]
    public void Safe_names_keep_only_portable_characters(string name, string expected) =>
        Assert.Equal(expected, ExplainReportWriter.SafeName(name));
}
