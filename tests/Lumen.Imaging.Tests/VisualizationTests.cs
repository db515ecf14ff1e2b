using Lumen.Tensors;

namespace Lumen.Imaging.Tests;

public class VisualizationTests
{
    private static double Luma((byte R, byte G, byte B) c) => 0.2126 * c.R + 0.7152 * c.G + 0.0722 * c.B;

    [Theory]
    [InlineData("viridis")]
    [InlineData("inferno")]
    [InlineData("grey")]
    public void Sequential_maps_get_brighter_monotonically(string name)
    {
        var map = name switch { "viridis" => Colormap.Viridis, "inferno" => Colormap.Inferno, _ => Colormap.Grey };
        Assert.False(map.IsDiverging);
        double previous = -1;
        for (int i = 0; i <= 255; i++)
        {
            double l = Luma(map.Map(i / 255.0));
            Assert.True(l >= previous - 0.75, $"{name}: luma drops at t = {i / 255.0:F3} ({previous:F1} → {l:F1})");
            previous = l;
        }
        Assert.Equal(map.Anchors[0], map.Map(0));
        Assert.Equal(map.Anchors[^1], map.Map(1));
    }

    [Fact]
    public void Diverging_map_is_light_at_zero_and_dark_at_both_ends()
    {
        var map = Colormap.RedBlue;
        Assert.True(map.IsDiverging);
        Assert.Equal(((byte)0xf7, (byte)0xf7, (byte)0xf7), map.Map(0.5));
        var (nr, _, nb) = map.Map(0.1);
        var (pr, _, pb) = map.Map(0.9);
        Assert.True(nb > nr && pr > pb, "negative side must be blue, positive side red");
        Assert.True(Luma(map.Map(0.2)) < Luma(map.Map(0.5)) && Luma(map.Map(0.8)) < Luma(map.Map(0.5)));
    }

    [Fact]
    public void Bad_colormap_anchors_are_refused()
    {
        Assert.Contains("at least two", Assert.Throws<ArgumentException>(() => Colormap.FromHex("x", false, "ffffff")).Message);
        Assert.Contains("'zzzzzz'", Assert.Throws<ArgumentException>(() => Colormap.FromHex("x", false, "000000", "zzzzzz")).Message);
    }

    [Fact]
    public void Channel_reductions_follow_their_definitions()
    {
        // [1, 2, 1, 3]: channel 0 = (1, −2, 3), channel 1 = (−4, 5, 0.5)
        var map = Tensor.FromArray([1f, -2f, 3f, -4f, 5f, 0.5f], 1, 2, 1, 3);
        Assert.Equal([-3f, 3f, 3.5f], Heatmap.ReduceChannels(map, ChannelReduction.Sum).ToArray());
        Assert.Equal([5f, 7f, 3.5f], Heatmap.ReduceChannels(map, ChannelReduction.AbsSum).ToArray());
        Assert.Equal([4f, 5f, 3f], Heatmap.ReduceChannels(map, ChannelReduction.MaxAbs).ToArray());
        Assert.Equal(new[] { 1, 3 }, Heatmap.ReduceChannels(map, ChannelReduction.Sum).Shape.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => Heatmap.ReduceChannels(Tensor.Zeros(2, 3, 4, 5), ChannelReduction.Sum));
        Assert.Contains("[2, 3, 4, 5]", ex.Message);
    }

    [Fact]
    public void Percentile_interpolates_like_numpy()
    {
        float[] v = [5, 1, 4, 2, 3, float.NaN];
        Assert.Equal(1.0, Heatmap.Percentile(v, 0));
        Assert.Equal(3.0, Heatmap.Percentile(v, 50));
        Assert.Equal(4.6, Heatmap.Percentile(v, 90), 6); // position 0.9·4 = 3.6 → 4 + 0.6·(5 − 4)
        Assert.Equal(5.0, Heatmap.Percentile(v, 100));
        Assert.Throws<ArgumentException>(() => Heatmap.Percentile(v, 101));
        Assert.Throws<ArgumentException>(() => Heatmap.Percentile([float.NaN], 50));
    }

    [Fact]
    public void Signed_maps_are_symmetric_with_zero_at_the_centre_and_outliers_clipped()
    {
        var values = new float[200];
        for (int i = 0; i < 200; i++) values[i] = (i % 2 == 0 ? 1 : -1) * (i / 2 % 50) / 10f;
        values[7] = 1000f; // outlier
        var t = Heatmap.Normalize(Tensor.FromArray(values, 10, 20), new HeatmapOptions { ClipPercentile = 99 });
        for (int i = 0; i < 200; i++)
        {
            if (values[i] == 0) Assert.Equal(0.5f, t[i]);
            Assert.InRange(t[i], 0f, 1f);
        }
        Assert.Equal(1f, t[7]);
        int a = Array.IndexOf(values, 2.4f), b = Array.IndexOf(values, -2.4f);
        Assert.Equal(t[a] - 0.5f, 0.5f - t[b], 6);
        Assert.True(t[a] < 0.99f, "the outlier must not squash the other values when the 99th percentile clips it");
    }

    [Fact]
    public void Overlay_blends_with_alpha_and_takes_the_image_size()
    {
        var background = new Image(8, 6, 3);
        Array.Fill(background.Pixels, (byte)100);
        var map = Tensor.Full(new Shape(3, 4), 1f); // constant positive → saturated red end
        var opaque = Heatmap.Render(map, background, new HeatmapOptions { Alpha = 1, ClipPercentile = 100 });
        Assert.Equal((8, 6, 3), (opaque.Width, opaque.Height, opaque.Channels));
        var top = Colormap.RedBlue.Map(1);
        Assert.Equal([top.R, top.G, top.B], opaque.Pixels[..3]);
        var clear = Heatmap.Render(map, background, new HeatmapOptions { Alpha = 0 });
        Assert.All(clear.Pixels, p => Assert.Equal(100, p));
        var half = Heatmap.Render(map, background, new HeatmapOptions { Alpha = 0.5, ClipPercentile = 100 });
        Assert.Equal(Math.Round(0.5 * 100 + 0.5 * top.R), half.Pixels[0], 0);
        Assert.Throws<ArgumentException>(() => Heatmap.Render(map, background, new HeatmapOptions { Alpha = 2 }));
    }

    [Fact]
    public void Magnitude_preset_hides_zero_attribution()
    {
        var background = new Image(4, 1, 3, Enumerable.Repeat((byte)50, 12).ToArray());
        var map = Tensor.FromArray([0f, 0f, 1f, 2f], 1, 4);
        var image = Heatmap.Render(map, background, HeatmapOptions.Magnitude with { ClipPercentile = 100 });
        Assert.Equal([50, 50, 50], image.Pixels[..3]);   // t = 0 → opacity 0
        Assert.NotEqual(50, image.Pixels[9]);
        var bar = Heatmap.ColorBar(Colormap.Viridis, 64, 4);
        Assert.Equal(Colormap.Viridis.Anchors[^1], (bar[63, 0, 0], bar[63, 0, 1], bar[63, 0, 2]));
    }

    [Fact]
    public void Every_glyph_is_five_by_seven()
    {
        foreach (char c in " 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:;-+=_/()[]%#'\"!?<>*")
        {
            Assert.True(BitmapFont.HasGlyph(c), $"no glyph for '{c}'");
            Assert.False(BitmapFont.Ink(c, 5, 0));
        }
        // 'T': full top row, then only the centre column.
        Assert.True(Enumerable.Range(0, 5).All(x => BitmapFont.Ink('T', x, 0)));
        Assert.True(BitmapFont.Ink('t', 2, 6) && !BitmapFont.Ink('T', 1, 6));
        Assert.True(BitmapFont.Ink('~', 0, 1) == BitmapFont.Ink('?', 0, 1)); // unknown → '?'
    }

    [Fact]
    public void Grid_places_tiles_and_draws_captions()
    {
        var red = new Image(10, 8, 3);
        for (int i = 0; i < red.Pixels.Length; i += 3) red.Pixels[i] = 255;
        var grey = new Image(6, 6, 1, Enumerable.Repeat((byte)128, 36).ToArray());
        var grid = ImageGrid.Compose([(red, "IG"), (grey, null), (red, "saliency map")], columns: 2, padding: 2);
        int captionH = BitmapFont.CellHeight + 2;
        Assert.Equal((2 + 2 * 12, 2 + 2 * (8 + captionH + 2)), (grid.Width, grid.Height));
        Assert.Equal((255, 0, 0), (grid[2, 2, 0], grid[2, 2, 1], grid[2, 2, 2]));     // first tile at (pad, pad)
        Assert.Equal(128, grid[14 + 2, 2 + 1, 1]);                                      // grey tile centred in cell 2
        int inkPixels = 0;
        for (int y = 2 + 8; y < 2 + 8 + captionH; y++)
            for (int x = 2; x < 12; x++)
                if (grid[x, y, 0] == 0) inkPixels++;
        Assert.True(inkPixels > 10, "caption 'IG' was not drawn");
        Assert.Throws<ArgumentException>(() => ImageGrid.Compose([], 1));
    }

    [Fact]
    public void Render_over_a_model_input_inverts_its_preprocessing()
    {
        var image = Image.Load(TestData.Fixture("rgb8.png"));
        var preset = Preprocess.MobileNetV2 with { ResizeShorterSide = null, CropSize = null };
        var input = ImageTensor.FromImage(image, preset);
        var zero = Tensor.Zeros(1, 3, image.Height, image.Width);
        var rendered = Heatmap.Render(zero, input, preset, new HeatmapOptions { AlphaByMagnitude = true });
        Assert.Equal(image.Pixels, rendered.Pixels); // zero attribution with magnitude-alpha shows the image unchanged
    }

    /// <summary>The anchor-interpolated viridis/inferno stay close to matplotlib's (tools/fixtures/make_colormap_fixture.py):
    /// measured max channel deviation 4 (viridis) and 6 (inferno) levels over 33 samples.</summary>
    [Theory]
    [InlineData("viridis", 4)]
    [InlineData("inferno", 6)]
    public void Sequential_maps_approximate_matplotlib(string name, int tolerance)
    {
        var map = name == "viridis" ? Colormap.Viridis : Colormap.Inferno;
        int worst = 0;
        foreach (var line in File.ReadLines(TestData.Fixture("colormaps.txt")).Where(l => l.StartsWith(name + " ")))
        {
            var f = line.Split(' ');
            var (r, g, b) = map.Map(double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
            worst = Math.Max(worst, new[] { Math.Abs(r - int.Parse(f[2])), Math.Abs(g - int.Parse(f[3])), Math.Abs(b - int.Parse(f[4])) }.Max());
        }
        Assert.True(worst <= tolerance, $"{name}: max deviation {worst} levels from matplotlib");
    }
}
