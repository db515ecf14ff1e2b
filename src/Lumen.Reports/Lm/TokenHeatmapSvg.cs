using System.Globalization;
using System.Net;
using System.Text;
using Lumen.Imaging;

namespace Lumen.Reports.Lm;

/// <summary>Renders text as a row of token boxes coloured by one value per token (an SVG that wraps at a fixed
/// width, with the exact value in each box's tooltip). Line breaks inside a token start a new line.</summary>
/// <remarks>Colour: <c>t = (v − min) / (max − min)</c> on a sequential map, or <c>t = ½ + v / (2·max|v|)</c> on a
/// diverging map, so white is zero.</remarks>
/// <example><code>page.Svg(TokenHeatmapSvg.Render(["Once", " upon"], [0.9, 0.4], Colormap.Viridis));</code></example>
public static class TokenHeatmapSvg
{
    private const double CharWidth = 7.8, LineHeight = 22, Pad = 3;

    /// <summary>The SVG markup for <paramref name="tokens"/> coloured by <paramref name="values"/> (NaN: uncoloured).</summary>
    /// <exception cref="ArgumentException">The two lists differ in length.</exception>
    public static string Render(IReadOnlyList<string> tokens, IReadOnlyList<double> values, Colormap colormap, int width = 900)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(colormap);
        if (tokens.Count != values.Count) throw new ArgumentException($"TokenHeatmapSvg: {tokens.Count} tokens but {values.Count} values.", nameof(values));
        var finite = values.Where(double.IsFinite).ToList();
        double min = finite.Count > 0 ? finite.Min() : 0, max = finite.Count > 0 ? finite.Max() : 1;
        double scale = colormap.IsDiverging ? Math.Max(1e-12, finite.Count > 0 ? finite.Max(Math.Abs) : 1) : Math.Max(1e-12, max - min);
        var body = new StringBuilder();
        double x = 0, y = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            var lines = tokens[i].Split('\n');
            for (int part = 0; part < lines.Length; part++)
            {
                if (part > 0) { x = 0; y += LineHeight; }
                var text = lines[part].Length == 0 && lines.Length == 1 ? "∅" : lines[part];
                if (text.Length == 0) continue;
                double w = text.Length * CharWidth + 2 * Pad;
                if (x > 0 && x + w > width) { x = 0; y += LineHeight; }
                string fill = "#eeeeee";
                if (double.IsFinite(values[i]))
                {
                    double t = colormap.IsDiverging ? 0.5 + values[i] / (2 * scale) : (values[i] - min) / scale;
                    var (r, g, b) = colormap.Map(Math.Clamp(t, 0, 1));
                    fill = $"#{r:x2}{g:x2}{b:x2}";
                    bool dark = 0.299 * r + 0.587 * g + 0.114 * b < 128;
                    body.Append(Box(x, y, w, fill, dark ? "#fff" : "#111", text, $"#{i} {tokens[i]} = {values[i].ToString("G4", CultureInfo.InvariantCulture)}"));
                }
                else body.Append(Box(x, y, w, fill, "#111", text, $"#{i} {tokens[i]}"));
                x += w + 1;
            }
        }
        double height = y + LineHeight + 2;
        return $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{N(height)}\" viewBox=\"0 0 {width} {N(height)}\" font-family=\"monospace\" font-size=\"13\">\n{body}</svg>";
    }

    private static string Box(double x, double y, double w, string fill, string ink, string text, string tooltip) =>
        $"<g><title>{WebUtility.HtmlEncode(tooltip)}</title><rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(w)}\" height=\"{LineHeight - 2}\" rx=\"3\" fill=\"{fill}\"/>" +
        $"<text x=\"{N(x + Pad)}\" y=\"{N(y + 15)}\" fill=\"{ink}\" xml:space=\"preserve\">{WebUtility.HtmlEncode(text)}</text></g>\n";

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
