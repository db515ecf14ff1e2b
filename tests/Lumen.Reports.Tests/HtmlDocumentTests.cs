using Lumen.Imaging;
using Lumen.Reports.Html;

namespace Lumen.Reports.Tests;

public class HtmlDocumentTests
{
    [Fact]
    public void Text_is_escaped_and_the_stylesheet_inlined()
    {
        var page = new HtmlDocument("a <b> & c", "sub\"title")
            .Heading("<script>alert(1)</script>")
            .Paragraph("x < y", "note")
            .Table(["name", "value"], [["<i>", "1.5"]])
            .ToString();
        Assert.DoesNotContain("<script>", page);
        Assert.Contains("&lt;script&gt;", page);
        Assert.Contains("<title>a &lt;b&gt; &amp; c</title>", page);
        Assert.Contains("<td class=\"num\">1.5</td>", page);
        Assert.Contains("<td>&lt;i&gt;</td>", page);
        Assert.Contains("figcaption", page);                                          // from the embedded report.css
    }

    [Fact]
    public void Figures_embed_png_images_that_decode_back()
    {
        var image = new Image(3, 2, 3);
        image[1, 1, 0] = 200;
        var uri = HtmlDocument.DataUri(image);
        var decoded = Image.Load(new MemoryStream(Convert.FromBase64String(uri["data:image/png;base64,".Length..])));
        Assert.Equal(image.Pixels, decoded.Pixels);
        Assert.Contains(uri, new HtmlDocument("t").Figures([(image, "tile", "detail")]).ToString());
    }

    [Fact]
    public void Svg_accepts_only_svg_markup_and_charts_skip_non_finite_points()
    {
        Assert.Throws<ArgumentException>(() => new HtmlDocument("t").Svg("<div>"));
        var svg = new SvgLineChart("x", "y").Add("curve", [0, 1, 2], [0.5, double.NaN, 1]).Render();
        Assert.StartsWith("<svg", svg);
        Assert.DoesNotContain("NaN", svg);
        Assert.Equal(2, svg.Split("<polyline")[1].Split("points=\"")[1].Split('"')[0].Split(' ').Length);
        Assert.Throws<ArgumentException>(() => new SvgLineChart("x", "y").Add("bad", [0, 1], [1]));
    }
}
