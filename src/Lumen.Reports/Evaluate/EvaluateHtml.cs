using System.Globalization;
using Lumen.Metrics;
using Lumen.Reports.Html;

namespace Lumen.Reports.Evaluate;

/// <summary>Renders an <see cref="EvaluateReport"/> as one self-contained HTML page: the methods × metrics table
/// with each metric's direction and the methods' ranks, the overall ranking, and the curves of the curve metrics
/// as SVG charts.</summary>
public static class EvaluateHtml
{
    /// <summary>The report page.</summary>
    public static HtmlDocument Render(EvaluateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var page = new HtmlDocument("Lumen evaluate",
            $"{report.Model} · {report.Images.Count} image(s) · {report.Methods.Count} method(s) × {report.Metrics.Count} metric(s) · {report.Created:yyyy-MM-dd HH:mm} UTC");
        page.Table(["image", "explained class"], report.Images.Select((name, i) =>
            (IReadOnlyList<string>)[name, $"{report.Targets[i].Index} {report.Targets[i].Label}"]));

        page.Heading("Methods × metrics");
        var ranks = report.Metrics.ToDictionary(m => m.Info.Name, report.Ranks);
        page.Table(["metric", "category", "better", .. report.Methods.Select(m => m.DisplayName)], report.Metrics.Select(metric =>
            (IReadOnlyList<string>)[metric.Info.DisplayName, metric.Info.Category.ToString(), metric.Direction == ScoreDirection.HigherIsBetter ? "↑ higher" : "↓ lower",
                .. report.Methods.Select(m => CellText(report.Cell(m.Name, metric.Info.Name), ranks[metric.Info.Name].TryGetValue(m.Name, out int r) ? r : null))]));
        page.Paragraph("Each cell is the metric's mean over the images, with the method's rank among the methods (#1 = best by the metric's direction). A dash names why a cell did not run.", "note");

        page.Heading("Overall ranking");
        page.Table(["#", "method", "mean rank", "metrics ranked", "explain time"], report.Overall().Select((o, i) =>
            (IReadOnlyList<string>)[(i + 1).ToString(CultureInfo.InvariantCulture), report.Methods.First(m => m.Name == o.Method).DisplayName,
                F(o.MeanRank, "0.00"), o.Metrics.ToString(CultureInfo.InvariantCulture), $"{F(report.ExplainSeconds.GetValueOrDefault(o.Method), "0.00")} s"]));

        if (report.Meta.Count > 0)
        {
            page.Heading("Which metrics to trust on this model (meta-evaluation)");
            page.Table(["metric", "noise resilience", "reactivity", "verdict"], report.Meta.Select(m =>
                (IReadOnlyList<string>)[report.Metrics.First(e => e.Info.Name == m.Metric).Info.DisplayName, F(m.NoiseResilience, "0.000"), F(m.Reactivity, "0.000"),
                    m.Trusted ? "trust" : "do not rely on it"]));
            page.Paragraph("Noise resilience: 1 − the relative score change when the maps get minor noise (5 % of their spread). Reactivity: the relative score change when each map is replaced by a random permutation of itself. A metric is trusted when it reacts to the randomised maps at least twice as much as to the noise (MetaQuantus, Hedström et al. 2023); averages over the methods.", "note");
        }

        if (report.MetaConsistency.Count > 0)
        {
            page.Heading("Meta-consistency of the metrics (MetaQuantus perturbation tests)");
            page.Table(["metric", "model NR (IAC, IEC)", "model AR (IAC, IEC)", "model MC", "input NR (IAC, IEC)", "input AR (IAC, IEC)", "input MC", "MC"],
                report.MetaConsistency.Select(m => (IReadOnlyList<string>)[report.Metrics.First(e => e.Info.Name == m.Metric).Info.DisplayName,
                    .. m.Error is { } error ? [$"— {error}", "", "", "", "", "", ""] : (string[])[.. Test(m.Model), .. Test(m.Input), F(m.MetaConsistency, "0.000")]]));
            page.Paragraph("Each test perturbs the evaluation K times, minor (weights × N(1, 0.001²); input + U(±0.001 σₓ)) and disruptive (weights × N(1, 2²); input + U(±2 σₓ)). " +
                "Noise resilience (NR) looks at the images whose prediction the minor perturbation keeps: IAC is the mean Wilcoxon signed-rank p-value between each method's scores before and after (1 = unmoved), " +
                "IEC the share of the methods' ranking kept. Adversary reactivity (AR) looks at the images whose prediction the disruptive perturbation changes: IAC is 1 − the p-value, " +
                "IEC the share of method × image pairs scored better before the perturbation. MC is the mean of the four (1 = ideal; 0.5 ≈ blind to both). " +
                "With few images the p-values cannot get small, so AR stays low; NaN means no image qualified (Hedström et al. 2023).", "note");
        }

        foreach (var metric in report.Metrics)
        {
            var curves = report.Methods.Select(m => (m.DisplayName, Curve: MeanCurve(report.Cell(m.Name, metric.Info.Name).Result))).Where(c => c.Curve is not null).ToList();
            if (curves.Count == 0) continue;
            page.Heading($"{metric.Info.DisplayName} curves", 3);
            var chart = new SvgLineChart(XLabel(metric.Info.Name), "score");
            foreach (var (name, curve) in curves) chart.Add(name, curve!.Value.X, curve.Value.Y);
            page.Svg(chart.Render());
            if (curves[0].Curve!.Value.Labels is { } labels)
                page.Paragraph("Points, left to right: " + string.Join(", ", labels), "note");
        }
        page.Paragraph($"{report.Metrics.Count} metrics from the Lumen.Metrics catalog; per-image scores and every curve are in results.json beside this file.", "note");
        page.Footer = "Made with Lumen · numbers in results.json beside this file.";
        return page;
    }

    /// <summary>NR and AR as "IAC, IEC", and the MC, of one perturbation test (dashes when it did not run).</summary>
    private static string[] Test(Lumen.Metrics.Meta.ConsistencyScores? s) => s is null ? ["—", "—", "—"] :
        [$"{F(s.IntraResilience, "0.00")}, {F(s.InterResilience, "0.00")}", $"{F(s.IntraReactivity, "0.00")}, {F(s.InterReactivity, "0.00")}", F(s.MetaConsistency, "0.000")];

    /// <summary>The curve averaged over the images when they share their abscissae.</summary>
    private static (double[] X, double[] Y, string[]? Labels)? MeanCurve(MetricResult? result)
    {
        if (result?.Curves is not { Count: > 0 } curves) return null;
        var x = curves[0].X;
        if (curves.Any(c => !c.X.SequenceEqual(x))) return (x, curves[0].Y, curves[0].Labels);
        return (x, [.. Enumerable.Range(0, x.Length).Select(i => curves.Average(c => c.Y[i]))], curves[0].Labels);
    }

    private static string XLabel(string metric) => metric switch
    {
        _ when metric.Contains("randomisation", StringComparison.Ordinal) => "layers randomised (top first)",
        "sensitivity-n" => "subset size n",
        _ => "fraction of features changed",
    };

    private static string CellText(MetricCell cell, int? rank) =>
        cell.Result is { } r ? $"{F(r.Value, "0.####")}{(rank is int k ? $" (#{k})" : "")}" : $"— {cell.Error}";

    private static string F(double value, string format) => double.IsNaN(value) ? "NaN" : value.ToString(format, CultureInfo.InvariantCulture);
}
