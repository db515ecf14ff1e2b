using System.Globalization;
using System.Net;
using System.Text;

namespace Lumen.Reports.Html;

/// <summary>
/// A scatter plot as inline SVG (no script): points in named groups, each group its own colour with a legend, e.g.
/// a PCA projection of activations coloured by class.
/// </summary>
/// <example><code>
/// var svg = new SvgScatterChart("PC 1", "PC 2").Add("digit 3", xs, ys).Add("digit 8", xs2, ys2).Render();
/// </code></example>
public sealed class SvgScatterChart(string xLabel, string yLabel, int width = 460, int height = 380)
{
    private static readonly string[] Palette = ["#3057d5", "#d5572f", "#2b9a4a", "#8a3fc2", "#c2a11f", "#1f9bb0", "#c23f80", "#555c6b", "#7fa31f", "#b0651f"];
    private readonly List<(string Name, double[] X, double[] Y)> groups = [];

    /// <summary>Adds a group of points; <paramref name="x"/> and <paramref name="y"/> have equal lengths.</summary>
    public SvgScatterChart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"SvgScatterChart: group '{name}' has {x.Count} x values and {y.Count} y values.");
        groups.Add((name, [.. x], [.. y]));
        return this;
    }

    /// <summary>The chart's SVG markup.</summary>
    public string Render()
    {
        const int left = 48, right = 12, top = 12, bottom = 40;
        var points = groups.SelectMany(g => g.X.Zip(g.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        double x0 = points.Count > 0 ? points.Min(p => p.First) : 0, x1 = points.Count > 0 ? points.Max(p => p.First) : 1;
        double y0 = points.Count > 0 ? points.Min(p => p.Second) : 0, y1 = points.Count > 0 ? points.Max(p => p.Second) : 1;
        if (x1 <= x0) { x0 -= 0.5; x1 += 0.5; }
        if (y1 <= y0) { y0 -= 0.5; y1 += 0.5; }
        double plotW = width - left - right, plotH = height - top - bottom - 14 * ((groups.Count + 4) / 5);
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
        for (int g = 0; g < groups.Count; g++)
        {
            var (name, xs, ys) = groups[g];
            string colour = Palette[g % Palette.Length];
            svg.Append(CultureInfo.InvariantCulture, $"<g fill=\"{colour}\" fill-opacity=\"0.7\"><title>{WebUtility.HtmlEncode(name)}</title>");
            for (int i = 0; i < xs.Length; i++)
                if (double.IsFinite(xs[i]) && double.IsFinite(ys[i])) svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Px(xs[i])}\" cy=\"{Py(ys[i])}\" r=\"2.5\"/>");
            svg.Append("</g>");
            double lx = left + (g % 5) * plotW / 5, ly = top + plotH + 40 + 14 * (g / 5);
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(lx + 4)}\" cy=\"{F(ly - 7)}\" r=\"3\" fill=\"{colour}\"/><text x=\"{F(lx + 12)}\" y=\"{F(ly - 4)}\">{WebUtility.HtmlEncode(name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Tick(double v) => Math.Abs(v) >= 1000 || (Math.Abs(v) < 0.01 && v != 0) ? v.ToString("0.##E0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);
}
