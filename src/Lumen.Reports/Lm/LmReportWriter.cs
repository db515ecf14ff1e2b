using System.Text.Json;
using System.Text.Json.Serialization;
using Lumen.Reports.Html;

namespace Lumen.Reports.Lm;

/// <summary>Writes one <c>lumen lm</c> result to a folder: <c>report.html</c> (self-contained) and
/// <c>summary.json</c> (the numbers behind it).</summary>
/// <example><code>var html = LmReportWriter.Write(LmHtml.Generation(...), new { tokens }, "lm-report");</code></example>
public static class LmReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes both files into <paramref name="folder"/> (created if needed) and returns the report's path.</summary>
    public static string Write(HtmlDocument page, object summary, string folder)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(summary);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(summary, Json));
        var html = Path.Combine(folder, "report.html");
        page.Save(html);
        return html;
    }
}
