using System.Globalization;
using Lumen.Reports.Html;

namespace Lumen.Reports.Analyze;

/// <summary>Renders a <see cref="WeightsReport"/>: first-layer filters, singular value spectra and per-parameter statistics.</summary>
public static class WeightsHtml
{
    /// <summary>The report page.</summary>
    public static HtmlDocument Render(WeightsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var page = new HtmlDocument("Lumen analyze filters", $"{report.Model} · {report.Statistics.Count} parameters · {report.Created:yyyy-MM-dd HH:mm} UTC");
        page.Heading("First-layer filters");
        if (report.Filters is not null) page.Figures([(report.Filters, report.FirstLayer!, "grey = 0; each filter scaled to its own largest weight")]);
        else page.Paragraph("The model has no convolution reading the image directly (a weight [O, 1 or 3, kh, kw]).", "note");
        page.Heading("Singular value spectra");
        var chart = new SvgLineChart("i / n", "σᵢ / σ₁");
        foreach (var (name, s, _, _) in report.Spectra)
            chart.Add(name, [.. Enumerable.Range(0, s.Length).Select(i => s.Length == 1 ? 0.0 : i / (double)(s.Length - 1))], [.. s.Select(v => s[0] == 0 ? 0 : v / s[0])]);
        page.Svg(chart.Render());
        page.Table(["weight", "σ₁", "stable rank", "effective rank", "n"], report.Spectra.Select(p =>
            (IReadOnlyList<string>)[p.Name, F(p.SingularValues[0], "0.###"), F(p.StableRank, "0.##"), F(p.EffectiveRank, "0.#"), p.SingularValues.Length.ToString(CultureInfo.InvariantCulture)]));
        page.Heading("Parameter statistics");
        page.Table(["parameter", "shape", "mean", "std", "min", "max", "norm", "≈0"], report.Statistics.Select(s =>
            (IReadOnlyList<string>)[s.Name, string.Join("×", s.Shape), F(s.Mean, "0.####"), F(s.StandardDeviation, "0.####"), F(s.Min, "0.###"), F(s.Max, "0.###"), F(s.Norm, "0.##"), F(100 * s.NearZeroFraction, "0.#") + "%"]));
        page.Paragraph("A weight [O, I, …] is read as an O × (I·…) matrix. Stable rank = ‖W‖²_F/σ₁²; effective rank = exp(entropy of σ/Σσ). ≈0 counts weights below 1e-3 of the layer's largest magnitude.", "note");
        page.Footer = "Made with Lumen · statistics and spectra in summary.json, the filters as filters.png beside this file.";
        return page;
    }

    /// <summary>The JSON summary.</summary>
    public static object Summary(WeightsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            model = report.Model,
            firstLayer = report.FirstLayer,
            created = report.Created,
            statistics = report.Statistics,
            spectra = report.Spectra.Select(s => new { name = s.Name, singularValues = s.SingularValues, stableRank = s.StableRank, effectiveRank = s.EffectiveRank }),
        };
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
