using System.Globalization;
using Lumen.Reports.Html;

namespace Lumen.Reports.Analyze;

/// <summary>Renders a <see cref="VisualizeReport"/>: the optimised images with how much each raised its objective,
/// the start images, and the objective's trace over the steps.</summary>
public static class VisualizeHtml
{
    /// <summary>The report page.</summary>
    public static HtmlDocument Render(VisualizeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var o = report.Options;
        var page = new HtmlDocument("Lumen analyze visualize",
            $"{report.Model} · {report.Objective} · {o.Parameterization}, {o.Steps} steps, seed {o.Seed} · {F(report.Seconds, "0.0")} s · {report.Created:yyyy-MM-dd HH:mm} UTC");
        bool perImage = report.Result.FinalTerms.Count == report.Captions.Count;
        page.Heading("Visualizations");
        page.Figures(Enumerable.Range(0, report.Captions.Count).Select(i => (report.Image(i), report.Captions[i],
            perImage ? (string?)$"{F(report.Result.StartTerms[i], "0.###")} → {F(report.Result.FinalTerms[i], "0.###")}" : null)));
        page.Paragraph($"Objective {F(report.Result.StartValue, "0.###")} on the start images → {F(report.Result.FinalValue, "0.###")} on the results (untransformed).", "note");
        page.Heading("Objective during optimisation");
        page.Svg(new SvgLineChart("step", "objective (transformed image)").Add("objective", [.. Enumerable.Range(1, report.Result.Trace.Count).Select(i => (double)i)], [.. report.Result.Trace.Select(v => (double)v)]).Render());
        page.Heading("Start images", 3);
        page.Figures(Enumerable.Range(0, report.Captions.Count).Select(i => (report.StartImage(i), report.Captions[i], (string?)null)));
        page.Paragraph($"Activation maximisation (Olah et al. 2017): {o.Parameterization} parameterisation, Adam at {F(o.LearningRate, "0.###")}, random jitter ±{o.Transforms.Jitter} px, scale {F(o.Transforms.Scale.Min, "0.##")}–{F(o.Transforms.Scale.Max, "0.##")}, rotation ±{F(o.Transforms.RotationDegrees, "0.#")}° at every step.", "note");
        page.Footer = "Made with Lumen · the grid as visualizations.png beside this file.";
        return page;
    }

    /// <summary>The JSON summary: objective, captions, per-image start and final values, the trace.</summary>
    public static object Summary(VisualizeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            model = report.Model,
            objective = report.Objective,
            parameterization = report.Options.Parameterization.ToString(),
            steps = report.Options.Steps,
            seed = report.Options.Seed,
            seconds = Math.Round(report.Seconds, 3),
            created = report.Created,
            captions = report.Captions,
            startTerms = report.Result.StartTerms,
            finalTerms = report.Result.FinalTerms,
            trace = report.Result.Trace,
        };
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
