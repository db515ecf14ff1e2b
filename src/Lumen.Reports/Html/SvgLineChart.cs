using System.Globalization;
using System.Net;

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
        var axes = new SvgAxes(series.Select(s => (s.X, s.Y)), width, height, legendRows: (series.Count + 2) / 3, centreSingleX: false);
        var svg = axes.Begin(width, height, xLabel, yLabel);
        for (int s = 0; s < series.Count; s++)
        {
            var (name, xs, ys) = series[s];
            string colour = Palette[s % Palette.Length];
            var points = string.Join(' ', xs.Zip(ys).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).Select(p => $"{axes.Px(p.First)},{axes.Py(p.Second)}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\" points=\"{points}\"><title>{WebUtility.HtmlEncode(name)}</title></polyline>");
            double lx = SvgAxes.Left + (s % 3) * axes.PlotWidth / 3, ly = SvgAxes.Top + axes.PlotHeight + 40 + 14 * (s / 3);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{SvgAxes.F(lx)}\" y=\"{SvgAxes.F(ly - 8)}\" width=\"10\" height=\"3\" fill=\"{colour}\"/><text x=\"{SvgAxes.F(lx + 14)}\" y=\"{SvgAxes.F(ly - 4)}\">{WebUtility.HtmlEncode(name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }
}
