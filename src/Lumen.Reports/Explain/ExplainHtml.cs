using System.Globalization;
using Lumen.Reports.Html;

namespace Lumen.Reports.Explain;

/// <summary>Renders an <see cref="ExplainReport"/> as one self-contained HTML page: per image the input, the top
/// predictions, and per method the heatmap, the overlay, the time taken and the completeness delta.</summary>
public static class ExplainHtml
{
    /// <summary>The report page.</summary>
    public static HtmlDocument Render(ExplainReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var methods = report.Images.SelectMany(i => i.Methods).Select(m => m.DisplayName).Distinct().ToList();
        var page = new HtmlDocument("Lumen explain",
            $"{report.Model} · {Count(report.Images.Count, "image")} · {string.Join(", ", methods)} · {report.Created:yyyy-MM-dd HH:mm} UTC");
        if (report.Settings.Count > 0) page.Paragraph($"Method options set: {string.Join(", ", report.Settings)} (the others at their defaults).", "note");
        foreach (var image in report.Images)
        {
            page.Heading(image.Name);
            page.Paragraph($"Explaining class {image.Target.Index} “{image.Target.Label}” (p = {F(image.Target.Probability, "0.000")}, score {F(image.Target.Score, "0.###")}).", "note");
            page.Figures([(image.Input, "Input", $"{image.Input.Width}×{image.Input.Height}, as the model sees it")]);
            page.Table(["#", "class", "label", "probability", "score"],
                image.Predictions.Select((p, rank) => (IReadOnlyList<string>)[(rank + 1).ToString(CultureInfo.InvariantCulture), p.Index.ToString(CultureInfo.InvariantCulture), p.Label, F(p.Probability, "0.0000"), F(p.Score, "0.###")]));
            var succeeded = image.Methods.Where(m => m.Succeeded).ToList();
            page.Heading("Overlays", 3);
            page.Figures(succeeded.Select(m => (m.Overlay!, m.DisplayName, (string?)Detail(m))));
            page.Heading("Heatmaps", 3);
            page.Figures(succeeded.Select(m => (m.Heatmap!, m.DisplayName, (string?)null)));
            foreach (var failed in image.Methods.Where(m => !m.Succeeded))
                page.Paragraph($"{failed.DisplayName} failed: {failed.Error}", "error");
        }
        page.Paragraph("Signed maps use a diverging ramp (red positive, blue negative, white zero); unsigned maps (e.g. |gradient|) a sequential one. Colours saturate at the 99.5th (signed) or 99th (unsigned) percentile. Delta is the completeness error Σ attribution − (f(x) − f(baseline)).", "note");
        page.Footer = "Made with Lumen · raw maps as .npy and this run's numbers in summary.json beside this file.";
        return page;
    }

    private static string Detail(MethodResult m) =>
        $"{F(m.Seconds, "0.00")} s" + (m.Delta is float d ? $" · delta {F(d, "0.####")}" : "");

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
