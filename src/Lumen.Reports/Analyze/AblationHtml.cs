using System.Globalization;
using Lumen.Reports.Html;

namespace Lumen.Reports.Analyze;

/// <summary>Renders an <see cref="AblationReport"/>: the effect of each channel's ablation (chart and table, largest
/// first), the joint ablation, and a PCA scatter of the layer's activations.</summary>
public static class AblationHtml
{
    /// <summary>The report page.</summary>
    public static HtmlDocument Render(AblationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var page = new HtmlDocument("Lumen analyze ablate",
            $"{report.Model} · {report.Layer} · {report.Mode} ablation · {report.Examples} · {F(report.Seconds, "0.0")} s · {report.Created:yyyy-MM-dd HH:mm} UTC");
        page.Heading("Effect of ablating each channel");
        page.Svg(new SvgLineChart("channel", "Δ score of the clean prediction")
            .Add("Δ score", [.. report.Effects.Select(e => (double)e.Channel)], [.. report.Effects.Select(e => e.ScoreChange)])
            .Render());
        page.Paragraph($"All {report.Effects.Count} channels ablated together: Δ score {F(report.Joint.ScoreChange, "0.###")}, top-1 unchanged on {F(100 * report.Joint.Agreement, "0.#")}% of the examples.");
        page.Table(["channel", "Δ score", "top-1 unchanged"], report.Effects.OrderByDescending(e => Math.Abs(e.ScoreChange)).Select(e =>
            (IReadOnlyList<string>)[e.Channel.ToString(CultureInfo.InvariantCulture), F(e.ScoreChange, "0.####"), F(100 * e.Agreement, "0.#") + "%"]));
        page.Heading($"{report.ProjectionMethod} of the layer's activations");
        var ratio = report.ExplainedVarianceRatio;
        var chart = ratio.Count == 0 ? new SvgScatterChart($"{report.ProjectionMethod} 1", $"{report.ProjectionMethod} 2")
            : new SvgScatterChart($"PC 1 ({F(100 * ratio[0], "0.#")}%)", ratio.Count > 1 ? $"PC 2 ({F(100 * ratio[1], "0.#")}%)" : "—");
        foreach (var group in report.Projection.GroupBy(p => p.Group).OrderBy(g => g.Key, StringComparer.Ordinal).Take(10))
            chart.Add(group.Key, [.. group.Select(p => p.X)], [.. group.Select(p => p.Y)]);
        page.Svg(chart.Render());
        page.Paragraph("Δ score is the mean change of the logit (or probability) of each example's clean top-1 class when the channel is replaced (zero, its reference mean, or its value on a random reference example). The scatter shows per-channel spatial means projected on the first two principal components, or embedded by t-SNE (van der Maaten & Hinton 2008; neighbourhoods are meaningful, distances between clusters are not), at most ten groups.", "note");
        page.Footer = "Made with Lumen · every effect in summary.json beside this file.";
        return page;
    }

    /// <summary>The JSON summary.</summary>
    public static object Summary(AblationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            model = report.Model,
            examples = report.Examples,
            layer = report.Layer,
            mode = report.Mode.ToString(),
            seconds = Math.Round(report.Seconds, 3),
            created = report.Created,
            effects = report.Effects,
            joint = report.Joint,
            projectionMethod = report.ProjectionMethod,
            explainedVarianceRatio = report.ExplainedVarianceRatio,
            projection = report.Projection.Select(p => new { x = p.X, y = p.Y, group = p.Group }),
        };
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
