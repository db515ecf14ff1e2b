using System.Globalization;
using System.Net;
using System.Text;
using Lumen.Imaging;

namespace Lumen.Reports.Lm;

/// <summary>Renders a labelled matrix as a grid of coloured cells (an SVG with row and column labels and the exact
/// value in each cell's tooltip): attention patterns, patching grids, per-head scores.</summary>
/// <remarks>Colour as in <see cref="TokenHeatmapSvg"/>: sequential maps span [min, max] (or the given range),
/// diverging maps are centred on zero and scaled by max|v|.</remarks>
/// <example><code>page.Svg(MatrixHeatmapSvg.Render(values, rows: 5, columns: 8, rowLabels, columnLabels, Colormap.RedBlue));</code></example>
public static class MatrixHeatmapSvg
{
    /// <summary>The SVG markup for the row-major <paramref name="values"/> (<paramref name="rows"/> × <paramref name="columns"/>).</summary>
    /// <exception cref="ArgumentException">The value or label counts do not match the size.</exception>
    public static string Render(IReadOnlyList<float> values, int rows, int columns, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels,
        Colormap colormap, double? min = null, double? max = null, int cell = 0, bool annotate = false)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
        ArgumentNullException.ThrowIfNull(colormap);
        if (values.Count != rows * columns) throw new ArgumentException($"MatrixHeatmapSvg: {values.Count} values for {rows}×{columns} cells.", nameof(values));
        if (rowLabels.Count != rows || columnLabels.Count != columns) throw new ArgumentException($"MatrixHeatmapSvg: {rowLabels.Count} row and {columnLabels.Count} column labels for {rows}×{columns} cells.");
        if (cell <= 0) cell = Math.Clamp(560 / Math.Max(rows, columns), 10, annotate ? 44 : 28);
        var finite = values.Where(float.IsFinite).Select(v => (double)v).ToList();
        double lo = min ?? (finite.Count > 0 ? finite.Min() : 0), hi = max ?? (finite.Count > 0 ? finite.Max() : 1);
        double absMax = Math.Max(1e-12, Math.Max(Math.Abs(lo), Math.Abs(hi)));
        int left = 8 + 7 * Math.Min(24, rowLabels.Select(l => l.Length).DefaultIfEmpty(0).Max());
        int top = 8 + 7 * Math.Min(24, columnLabels.Select(l => l.Length).DefaultIfEmpty(0).Max());
        var svg = new StringBuilder();
        int width = left + columns * cell + 4, height = top + rows * cell + 4;
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"11\">\n");
        for (int c = 0; c < columns; c++)
            svg.Append($"<text transform=\"translate({left + c * cell + cell / 2 + 4},{top - 4}) rotate(-60)\">{Label(columnLabels[c])}</text>\n");
        for (int r = 0; r < rows; r++)
        {
            svg.Append($"<text x=\"{left - 4}\" y=\"{top + r * cell + cell / 2 + 4}\" text-anchor=\"end\">{Label(rowLabels[r])}</text>\n");
            for (int c = 0; c < columns; c++)
            {
                double v = values[r * columns + c];
                string fill = "#eeeeee";
                if (double.IsFinite(v))
                {
                    double t = colormap.IsDiverging ? 0.5 + v / (2 * absMax) : (v - lo) / Math.Max(1e-12, hi - lo);
                    var (red, green, blue) = colormap.Map(Math.Clamp(t, 0, 1));
                    fill = $"#{red:x2}{green:x2}{blue:x2}";
                }
                string tip = WebUtility.HtmlEncode($"{rowLabels[r]} × {columnLabels[c]} = {v.ToString("G4", CultureInfo.InvariantCulture)}");
                svg.Append($"<g><title>{tip}</title><rect x=\"{left + c * cell}\" y=\"{top + r * cell}\" width=\"{cell - 1}\" height=\"{cell - 1}\" fill=\"{fill}\"/>");
                if (annotate && double.IsFinite(v))
                    svg.Append($"<text x=\"{left + c * cell + cell / 2}\" y=\"{top + r * cell + cell / 2 + 4}\" text-anchor=\"middle\" font-size=\"9\">{v.ToString("0.##", CultureInfo.InvariantCulture)}</text>");
                svg.Append("</g>\n");
            }
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Label(string text) => WebUtility.HtmlEncode(text.Length > 24 ? text[..23] + "…" : text);
}
