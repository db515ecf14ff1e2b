using System.Globalization;
using System.Net;

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
        var axes = new SvgAxes(groups.Select(s => (s.X, s.Y)), width, height, legendRows: (groups.Count + 4) / 5, centreSingleX: true);
        var svg = axes.Begin(width, height, xLabel, yLabel);
        for (int g = 0; g < groups.Count; g++)
        {
            var (name, xs, ys) = groups[g];
            string colour = Palette[g % Palette.Length];
            svg.Append(CultureInfo.InvariantCulture, $"<g fill=\"{colour}\" fill-opacity=\"0.7\"><title>{WebUtility.HtmlEncode(name)}</title>");
            for (int i = 0; i < xs.Length; i++)
                if (double.IsFinite(xs[i]) && double.IsFinite(ys[i])) svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{axes.Px(xs[i])}\" cy=\"{axes.Py(ys[i])}\" r=\"2.5\"/>");
            svg.Append("</g>");
            double lx = SvgAxes.Left + (g % 5) * axes.PlotWidth / 5, ly = SvgAxes.Top + axes.PlotHeight + 40 + 14 * (g / 5);
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{SvgAxes.F(lx + 4)}\" cy=\"{SvgAxes.F(ly - 7)}\" r=\"3\" fill=\"{colour}\"/><text x=\"{SvgAxes.F(lx + 12)}\" y=\"{SvgAxes.F(ly - 4)}\">{WebUtility.HtmlEncode(name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }
}
