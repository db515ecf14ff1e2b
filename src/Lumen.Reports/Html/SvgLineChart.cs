using System.Globalization;
using System.Net;
using System.Text;

namespace Lumen.Reports.Html;

/// <summary>
/// A small line chart as inline SVG (no script, no dependency): several named series over shared axes, with
/// tick labels and a legend. Used for curves such as deletion/insertion, per-layer scores or training loss.
/// </summary>
/// <example><code>
/// var svg = new SvgLineChart("fraction removed", "score").Add("saliency", xs, ys).Render();
/// page.Svg(svg);
/// </code></example>
public sealed class SvgLineChart(string xLabel, string yLabel, int width = 460, int height = 260)
{
    private static readonly string[] Palette = ["#3057d5", "#d5572f", "#2b9a4a", "#8a3fc2", "#c2a11f", "#1f9bb0", "#c23f80", "#555c6b"];
    private readonly List<(string Name, double[] X, double[] Y)> series = [];

    /// <summary>Adds a series; <paramref name="x"/> and <paramref name="y"/> have equal lengths.</summary>
    public SvgLineChart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"SvgLineChart: series '{name}' has {x.Count} x values and {y.Count} y values.");
        series.Add((name, [.. x], [.. y]));
        return this;
    }

    /// <summary>The chart's SVG markup.</summary>
    public string Render()
    {
        const int left = 48, right = 12, top = 12, bottom = 40;
        var finite = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        double x0 = finite.Count > 0 ? finite.Min(p => p.First) : 0, x1 = finite.Count > 0 ? finite.Max(p => p.First) : 1;
        double y0 = finite.Count > 0 ? finite.Min(p => p.Second) : 0, y1 = finite.Count > 0 ? finite.Max(p => p.Second) : 1;
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) { y0 -= 0.5; y1 += 0.5; }
        double plotW = width - left - right, plotH = height - top - bottom - 14 * ((series.Count + 2) / 3);
        string Px(double x) => F(left + (x - x0) / (x1 - x0) * plotW);
        string Py(double y) => F(top + (1 - (y - y0) / (y1 - y0)) * plotH);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" fill=\"none\" stroke=\"#dde1ea\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double xv = x0 + (x1 - x0) * i / 4, yv = y0 + (y1 - y0) * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(xv)}\" y=\"{F(top + plotH + 14)}\" text-anchor=\"middle\">{Tick(xv)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{Py(yv)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Tick(yv)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(left + plotW / 2)}\" y=\"{F(top + plotH + 28)}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(11 {F(top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{WebUtility.HtmlEncode(yLabel)}</text>");
        for (int s = 0; s < series.Count; s++)
        {
            var (name, xs, ys) = series[s];
            string colour = Palette[s % Palette.Length];
            var points = string.Join(' ', xs.Zip(ys).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).Select(p => $"{Px(p.First)},{Py(p.Second)}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\" points=\"{points}\"><title>{WebUtility.HtmlEncode(name)}</title></polyline>");
            double lx = left + (s % 3) * plotW / 3, ly = top + plotH + 40 + 14 * (s / 3);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(lx)}\" y=\"{F(ly - 8)}\" width=\"10\" height=\"3\" fill=\"{colour}\"/><text x=\"{F(lx + 14)}\" y=\"{F(ly - 4)}\">{WebUtility.HtmlEncode(name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Tick(double v) => Math.Abs(v) >= 1000 || (Math.Abs(v) < 0.01 && v != 0) ? v.ToString("0.##E0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);
}
