using System.Text.Json;
using System.Text.Json.Serialization;
using Lumen.Tensors.IO;

namespace Lumen.Reports.Explain;

/// <summary>
/// Writes an <see cref="ExplainReport"/> to a folder: <c>report.html</c> (self-contained), <c>summary.json</c>
/// (predictions, timings, deltas, file names), and per image and method <c>&lt;image&gt;.&lt;method&gt;.png</c> (the
/// overlay) and <c>&lt;image&gt;.&lt;method&gt;.npy</c> (the raw, input-shaped attribution).
/// </summary>
public static class ExplainReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // a NaN delta is reported, not a crash
    };

    /// <summary>Writes every file into <paramref name="folder"/> (created if needed) and returns the report's path.</summary>
    public static string Write(ExplainReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        var images = new List<object>();
        foreach (var image in report.Images)
        {
            var methods = new List<object>();
            foreach (var m in image.Methods)
            {
                string? png = null, npy = null;
                if (m.Succeeded)
                {
                    png = $"{image.Name}.{m.Method}.png";
                    npy = $"{image.Name}.{m.Method}.npy";
                    m.Overlay!.SavePng(Path.Combine(folder, png));
                    Npy.Write(Path.Combine(folder, npy), m.Map!);
                }
                var settings = report.Settings.Where(s => s.Method == m.Method).ToDictionary(s => s.Option, s => s.Value);
                methods.Add(new { method = m.Method, name = m.DisplayName, settings, seconds = Math.Round(m.Seconds, 4), delta = m.Delta, png, npy, error = m.Error });
            }
            images.Add(new
            {
                name = image.Name,
                target = image.Target,
                predictions = image.Predictions,
                methods,
            });
        }
        var summary = new { model = report.Model, created = report.Created, images };
        File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(summary, Json));
        var html = Path.Combine(folder, "report.html");
        ExplainHtml.Render(report).Save(html);
        return html;
    }

    /// <summary>A file-name-safe version of an image name (letters, digits, '-', '_', '.').</summary>
    public static string SafeName(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
