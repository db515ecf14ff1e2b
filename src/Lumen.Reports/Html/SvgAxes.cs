using System.Globalization;
using System.Net;
using System.Text;

namespace Lumen.Reports.Html;

/// <summary>
/// The frame shared by the SVG charts: the data range of every finite point, the plot area above a legend of
/// <c>legendRows</c> rows, the mapping from data to pixels, and the border, tick labels and axis titles.
/// </summary>
internal sealed class SvgAxes
{
    /// <summary>Margins around the plot area, in pixels.</summary>
    public const int Left = 48, Right = 12, Top = 12, Bottom = 40;

    private readonly double x0, x1, y0, y1;

    /// <param name="series">Every (x, y) series drawn; non-finite points are ignored.</param>
    /// <param name="width">The chart's width.</param>
    /// <param name="height">The chart's height.</param>
    /// <param name="legendRows">Rows of legend entries below the plot (14 px each).</param>
    /// <param name="centreSingleX">When every x is equal: true centres it in a span of 1, false puts it at the
    /// left edge of [x, x + 1].</param>
    public SvgAxes(IEnumerable<(double[] X, double[] Y)> series, int width, int height, int legendRows, bool centreSingleX)
    {
        var finite = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        x0 = finite.Count > 0 ? finite.Min(p => p.First) : 0; x1 = finite.Count > 0 ? finite.Max(p => p.First) : 1;
        y0 = finite.Count > 0 ? finite.Min(p => p.Second) : 0; y1 = finite.Count > 0 ? finite.Max(p => p.Second) : 1;
        if (x1 <= x0)
        {
            if (centreSingleX) { x0 -= 0.5; x1 += 0.5; }
            else x1 = x0 + 1;
        }
        if (y1 <= y0) { y0 -= 0.5; y1 += 0.5; }
        PlotWidth = width - Left - Right;
        PlotHeight = height - Top - Bottom - 14 * legendRows;
    }

    /// <summary>Width of the plot area.</summary>
    public double PlotWidth { get; }

    /// <summary>Height of the plot area.</summary>
    public double PlotHeight { get; }

    /// <summary>The pixel column of data value <paramref name="x"/>.</summary>
    public string Px(double x) => F(Left + (x - x0) / (x1 - x0) * PlotWidth);

    /// <summary>The pixel row of data value <paramref name="y"/>.</summary>
    public string Py(double y) => F(Top + (1 - (y - y0) / (y1 - y0)) * PlotHeight);

    /// <summary>Opens the SVG element and draws the plot border, five ticks per axis and the two axis titles.</summary>
    public StringBuilder Begin(int width, int height, string xLabel, string yLabel)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{F(PlotWidth)}\" height=\"{F(PlotHeight)}\" fill=\"none\" stroke=\"#dde1ea\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double xv = x0 + (x1 - x0) * i / 4, yv = y0 + (y1 - y0) * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(xv)}\" y=\"{F(Top + PlotHeight + 14)}\" text-anchor=\"middle\">{Tick(xv)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Py(yv)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Tick(yv)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + PlotWidth / 2)}\" y=\"{F(Top + PlotHeight + 28)}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(11 {F(Top + PlotHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">{WebUtility.HtmlEncode(yLabel)}</text>");
        return svg;
    }

    /// <summary>A pixel coordinate with at most one decimal.</summary>
    public static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Tick(double v) => Math.Abs(v) >= 1000 || (Math.Abs(v) < 0.01 && v != 0) ? v.ToString("0.##E0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);
}
