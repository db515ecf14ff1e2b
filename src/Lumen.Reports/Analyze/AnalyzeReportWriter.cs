using System.Text.Json;
using System.Text.Json.Serialization;
using Lumen.Reports.Html;

namespace Lumen.Reports.Analyze;

/// <summary>Writes an analysis report to a folder: <c>report.html</c> (self-contained), <c>summary.json</c> and any
/// extra images as PNG files.</summary>
public static class AnalyzeReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the page, the summary and <paramref name="images"/> (file name → image) into
    /// <paramref name="folder"/> (created if needed); returns the report's path.</summary>
    public static string Write(HtmlDocument page, object summary, string folder, IEnumerable<(string File, Lumen.Imaging.Image Image)>? images = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(summary);
        Directory.CreateDirectory(folder);
        foreach (var (file, image) in images ?? []) image.SavePng(Path.Combine(folder, file));
        File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(summary, Json));
        var html = Path.Combine(folder, "report.html");
        page.Save(html);
        return html;
    }
}
