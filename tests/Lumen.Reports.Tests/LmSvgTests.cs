using System.Xml.Linq;
using Lumen.Imaging;
using Lumen.Reports.Lm;

namespace Lumen.Reports.Tests;

public class LmSvgTests
{
    [Fact]
    public void Token_heatmap_is_valid_svg_with_one_box_per_token_escaped_and_coloured_by_value()
    {
        var svg = TokenHeatmapSvg.Render(["<b>", " & x", "\nend"], [0.0, 1.0, double.NaN], Colormap.Viridis);
        var doc = XDocument.Parse(svg); // well-formed XML, text escaped
        XNamespace ns = "http://www.w3.org/2000/svg";
        var rects = doc.Descendants(ns + "rect").ToList();
        Assert.Equal(3, rects.Count);
        var (r0, g0, b0) = Colormap.Viridis.Map(0);
        var (r1, g1, b1) = Colormap.Viridis.Map(1);
        Assert.Equal($"#{r0:x2}{g0:x2}{b0:x2}", rects[0].Attribute("fill")!.Value);
        Assert.Equal($"#{r1:x2}{g1:x2}{b1:x2}", rects[1].Attribute("fill")!.Value);
        Assert.Equal("#eeeeee", rects[2].Attribute("fill")!.Value);                       // NaN: uncoloured
        Assert.True(double.Parse(rects[2].Attribute("y")!.Value, System.Globalization.CultureInfo.InvariantCulture) > 0); // the newline wrapped
        Assert.Contains("<b>", doc.Descendants(ns + "text").Select(t => t.Value));
        Assert.Throws<ArgumentException>(() => TokenHeatmapSvg.Render(["a"], [], Colormap.Viridis));
    }

    [Fact]
    public void Matrix_heatmap_centres_a_diverging_map_on_zero()
    {
        var svg = MatrixHeatmapSvg.Render([-2f, 0f, 1f, 2f], 2, 2, ["r0", "r1"], ["c0", "c1"], Colormap.RedBlue);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var fills = XDocument.Parse(svg).Descendants(ns + "rect").Select(r => r.Attribute("fill")!.Value).ToList();
        var (r, g, b) = Colormap.RedBlue.Map(0.5);
        Assert.Equal($"#{r:x2}{g:x2}{b:x2}", fills[1]);
        var (r0, g0, b0) = Colormap.RedBlue.Map(0);
        Assert.Equal($"#{r0:x2}{g0:x2}{b0:x2}", fills[0]);
        Assert.Throws<ArgumentException>(() => MatrixHeatmapSvg.Render([1f], 2, 2, ["a", "b"], ["c", "d"], Colormap.Viridis));
    }
}
