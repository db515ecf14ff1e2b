using System.Net;
using System.Text;
using Lumen.Imaging;

namespace Lumen.Reports.Html;

/// <summary>
/// Builds one self-contained HTML page: the stylesheet is inlined and images are embedded as PNG data URIs, so the
/// file opens in any browser, offline, with nothing beside it. Every text argument is HTML-escaped.
/// </summary>
/// <example><code>
/// var page = new HtmlDocument("Lumen explain", "mobilenetv2 on 1 image");
/// page.Heading("cat.png").Table(["class", "p"], [["tabby", "0.81"]]).Figures([(heatmap, "Saliency", "0.08 s")]);
/// page.Save("report.html");
/// </code></example>
public sealed class HtmlDocument
{
    private readonly StringBuilder body = new();

    /// <summary>Starts a page with a header showing <paramref name="title"/> and an optional subtitle.</summary>
    public HtmlDocument(string title, string? subtitle = null)
    {
        Title = title;
        Subtitle = subtitle;
    }

    /// <summary>The page title.</summary>
    public string Title { get; }

    /// <summary>The line under the title.</summary>
    public string? Subtitle { get; }

    /// <summary>Text shown in the page footer.</summary>
    public string Footer { get; set; } = "Made with Lumen.";

    /// <summary>A section heading (level 2, or 3 for a sub-section).</summary>
    public HtmlDocument Heading(string text, int level = 2)
    {
        if (level is < 2 or > 4) throw new ArgumentOutOfRangeException(nameof(level), "Heading levels 2–4 are allowed (the title is level 1).");
        body.Append($"<h{level}>{Escape(text)}</h{level}>\n");
        return this;
    }

    /// <summary>A paragraph; <paramref name="style"/> is <c>note</c> (small, muted), <c>error</c> or null.</summary>
    public HtmlDocument Paragraph(string text, string? style = null)
    {
        body.Append(style is null ? "<p>" : $"<p class=\"{Escape(style)}\">").Append(Escape(text)).Append("</p>\n");
        return this;
    }

    /// <summary>A table of text cells; cells that parse as numbers are right-aligned.</summary>
    public HtmlDocument Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        body.Append("<table><thead><tr>");
        foreach (var h in headers) body.Append("<th>").Append(Escape(h)).Append("</th>");
        body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            body.Append("<tr>");
            foreach (var cell in row)
                body.Append(IsNumber(cell) ? "<td class=\"num\">" : "<td>").Append(Escape(cell)).Append("</td>");
            body.Append("</tr>\n");
        }
        body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>A row of captioned images (wrapping on narrow screens): each caption has a bold title and a
    /// muted detail line; each image is shown <paramref name="size"/> wide.</summary>
    public HtmlDocument Figures(IEnumerable<(Image Image, string Title, string? Detail)> figures, FigureSize size = FigureSize.Normal)
    {
        var imageClass = size switch
        {
            FigureSize.Wide => " class=\"wide\"",
            FigureSize.Thumbnail => " class=\"thumb\"",
            _ => "",
        };
        body.Append("<div class=\"grid\">\n");
        foreach (var (image, title, detail) in figures)
        {
            body.Append("<figure><img").Append(imageClass).Append(" alt=\"").Append(Escape(title))
                .Append("\" src=\"").Append(DataUri(image)).Append("\"><figcaption><b>").Append(Escape(title)).Append("</b>");
            if (!string.IsNullOrEmpty(detail)) body.Append("<span>").Append(Escape(detail)).Append("</span>");
            body.Append("</figcaption></figure>\n");
        }
        body.Append("</div>\n");
        return this;
    }

    /// <summary>Inline SVG markup (e.g. from <see cref="SvgLineChart"/>), trusted as is.</summary>
    public HtmlDocument Svg(string svg)
    {
        if (!svg.TrimStart().StartsWith("<svg", StringComparison.Ordinal)) throw new ArgumentException("Svg: expected markup starting with <svg.", nameof(svg));
        body.Append(svg).Append('\n');
        return this;
    }

    /// <summary>The complete page.</summary>
    public override string ToString()
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(Escape(Title)).Append("</title><style>\n").Append(Stylesheet).Append("</style></head>\n<body>\n<header><h1>")
            .Append(Escape(Title)).Append("</h1>");
        if (Subtitle is not null) page.Append("<p>").Append(Escape(Subtitle)).Append("</p>");
        page.Append("</header>\n<main>\n").Append(body).Append("</main>\n<footer>").Append(Escape(Footer)).Append("</footer>\n</body></html>\n");
        return page.ToString();
    }

    /// <summary>Writes the page as UTF-8.</summary>
    public void Save(string path) => File.WriteAllText(path, ToString(), new UTF8Encoding(false));

    /// <summary>HTML-escapes text for element content and attribute values.</summary>
    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>The image as a <c>data:image/png;base64,…</c> URI.</summary>
    public static string DataUri(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var png = new MemoryStream();
        image.SavePng(png);
        return "data:image/png;base64," + Convert.ToBase64String(png.GetBuffer(), 0, (int)png.Length);
    }

    private static bool IsNumber(string cell) =>
        cell.Length > 0 && double.TryParse(cell.TrimEnd('%', 's', ' ').Replace("×", "", StringComparison.Ordinal), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    private static readonly string Stylesheet = ReadStylesheet();

    private static string ReadStylesheet()
    {
        using var stream = typeof(HtmlDocument).Assembly.GetManifestResourceStream("Lumen.Reports.report.css")
            ?? throw new InvalidOperationException("The embedded stylesheet Lumen.Reports.report.css is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
