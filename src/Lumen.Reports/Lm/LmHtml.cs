using System.Globalization;
using Lumen.Imaging;
using Lumen.Reports.Html;

namespace Lumen.Reports.Lm;

/// <summary>The pages of <c>lumen lm</c>: one renderer per subcommand, each a self-contained
/// <see cref="HtmlDocument"/> built from token heatmaps (<see cref="TokenHeatmapSvg"/>), matrices
/// (<see cref="MatrixHeatmapSvg"/>), tables and line charts.</summary>
public static partial class LmHtml
{
    /// <summary>Generated text coloured by the probability the model gave each token (the prompt in grey).</summary>
    /// <param name="model">Model name for the subtitle.</param>
    /// <param name="tokens">Decoded pieces, prompt first.</param>
    /// <param name="probabilities">Per token, the probability it had when chosen (NaN for the prompt's first token).</param>
    /// <param name="promptLength">How many of <paramref name="tokens"/> are the prompt.</param>
    /// <param name="settings">A line describing the sampling settings and speed.</param>
    public static HtmlDocument Generation(string model, IReadOnlyList<string> tokens, IReadOnlyList<double> probabilities, int promptLength, string settings)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(probabilities);
        var page = new HtmlDocument("Lumen lm generate", $"{model} · {tokens.Count - promptLength} new tokens · {Now()}");
        page.Paragraph(settings, "note");
        page.Heading("Text");
        page.Paragraph(string.Concat(tokens));
        page.Heading("Tokens by probability");
        page.Paragraph("Each box is one token, coloured by the probability the model gave it at that step (viridis: dark = unlikely, yellow = certain). The prompt is grey.", "note");
        var values = probabilities.Select((p, i) => i < promptLength ? double.NaN : p).ToList();
        page.Svg(TokenHeatmapSvg.Render(tokens, values, Colormap.Viridis));
        return page;
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    private static string F(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);
}
