using System.Globalization;
using Lumen.Reports.Html;

namespace Lumen.Reports.Analyze;

/// <summary>Renders a <see cref="ProbeReport"/>: per-layer held-out accuracy of linear and MLP probes on the task and
/// on the control task, and the selectivity (task − control).</summary>
public static class ProbeHtml
{
    /// <summary>The per-layer accuracy chart (x: layer index, 0 = input).</summary>
    public static string Chart(ProbeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var x = Enumerable.Range(0, report.Layers.Count).Select(i => (double)i).ToList();
        return new SvgLineChart("layer (0 = input)", "held-out accuracy", 520, 300)
            .Add("linear", x, [.. report.Layers.Select(l => l.Linear)])
            .Add("linear control", x, [.. report.Layers.Select(l => l.LinearControl)])
            .Add("linear selectivity", x, [.. report.Layers.Select(l => l.LinearSelectivity)])
            .Add("MLP", x, [.. report.Layers.Select(l => l.Mlp)])
            .Add("MLP control", x, [.. report.Layers.Select(l => l.MlpControl)])
            .Add("MLP selectivity", x, [.. report.Layers.Select(l => l.MlpSelectivity)])
            .Render();
    }

    /// <summary>The report page.</summary>
    public static HtmlDocument Render(ProbeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var page = new HtmlDocument("Lumen analyze probe",
            $"{report.Model} · {report.Examples} · {report.Train} train / {report.Test} held out · {F(report.Seconds, "0.0")} s · {report.Created:yyyy-MM-dd HH:mm} UTC");
        page.Heading("Probe accuracy per layer");
        page.Svg(Chart(report));
        page.Table(["#", "layer", "features", "linear", "control", "selectivity", "MLP", "control", "selectivity"], report.Layers.Select((l, i) =>
            (IReadOnlyList<string>)[i.ToString(CultureInfo.InvariantCulture), l.Layer, l.Features.ToString(CultureInfo.InvariantCulture), P(l.Linear), P(l.LinearControl), P(l.LinearSelectivity), P(l.Mlp), P(l.MlpControl), P(l.MlpSelectivity)]));
        page.Paragraph($"Probes are trained on cached activations (standardised; large layers average-pooled to at most 1024 features) and scored on held-out examples. The control task (Hewitt & Liang 2019) gives every example the random label of its type — its nearest of {report.ControlTypes} prototype inputs — so a probe can only solve it by memorising input identity; selectivity = task − control accuracy.", "note");
        page.Footer = "Made with Lumen · the accuracies in summary.json beside this file.";
        return page;
    }

    /// <summary>The JSON summary.</summary>
    public static object Summary(ProbeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            model = report.Model,
            examples = report.Examples,
            train = report.Train,
            test = report.Test,
            controlTypes = report.ControlTypes,
            seconds = Math.Round(report.Seconds, 3),
            created = report.Created,
            layers = report.Layers.Select(l => new { l.Layer, l.Features, l.Linear, l.LinearControl, l.LinearSelectivity, l.Mlp, l.MlpControl, l.MlpSelectivity }),
        };
    }

    private static string P(double value) => (100 * value).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
