namespace Lumen.Imaging.Tests;

public class ResamplerTests
{
    public static IEnumerable<object[]> Goldens => Directory.EnumerateFiles(TestData.FixtureDir, "resize_*.raw")
        .Select(Path.GetFileNameWithoutExtension).Order().Select(n => new object[] { n! });

    private static Image Source(string mode)
    {
        var rgba = Image.Load(TestData.Fixture("rgba8.png"));
        return mode switch { "rgba" => rgba, "rgb" => rgba.ToRgb(), _ => rgba.ToRgb().ToGrey() };
    }

    /// <summary>Pillow 9.4 <c>Image.resize</c> outputs (every filter, down- and up-scaling, grey/RGB/RGBA) are
    /// reproduced exactly.</summary>
    [Theory]
    [MemberData(nameof(Goldens))]
    public void Matches_pillow_exactly(string name)
    {
        var parts = name.Split('_'); // resize_<mode>_<filter>_<W>x<H>
        var size = parts[3].Split('x').Select(int.Parse).ToArray();
        var filter = Enum.Parse<ResampleFilter>(parts[2], ignoreCase: true);
        var resized = Source(parts[1]).Resize(size[0], size[1], filter);
        var (max, mean) = TestData.Diff(TestData.Raw(name), resized);
        Assert.True(max == 0, $"{name}: max {max}, mean {mean:F4}");
    }

    [Fact]
    public void Grey_conversion_matches_pillow()
    {
        var (max, _) = TestData.Diff(TestData.Raw("pgm_p5"), Image.Load(TestData.Fixture("ppm_p6.ppm")).ToGrey());
        Assert.Equal(0, max);
    }

    [Fact]
    public void Weights_of_every_output_sum_to_one_in_fixed_point()
    {
        foreach (var filter in new[] { ResampleFilter.Box, ResampleFilter.Bilinear, ResampleFilter.Bicubic, ResampleFilter.Lanczos })
            foreach (var (inSize, outSize) in new[] { (100, 7), (7, 100), (33, 32), (1, 5) })
            {
                var (_, count, weights, ksize) = Resampler.Coefficients(inSize, outSize, filter);
                for (int i = 0; i < outSize; i++)
                {
                    long sum = 0;
                    for (int t = 0; t < count[i]; t++) sum += weights[i * ksize + t];
                    Assert.InRange(sum, (1 << 22) - ksize, (1 << 22) + ksize);
                }
            }
    }

    [Fact]
    public void Constant_image_stays_constant()
    {
        var image = new Image(23, 17, 3);
        Array.Fill(image.Pixels, (byte)77);
        foreach (var filter in Enum.GetValues<ResampleFilter>())
            Assert.All(image.Resize(9, 40, filter).Pixels, p => Assert.Equal(77, p));
    }

    [Fact]
    public void Geometry_helpers_crop_where_documented()
    {
        var image = new Image(10, 6, 1);
        for (int i = 0; i < 60; i++) image.Pixels[i] = (byte)i;
        var crop = image.CenterCrop(4, 3);
        Assert.Equal([13, 14, 15, 16, 23, 24, 25, 26, 33, 34, 35, 36], crop.Pixels); // left (10-4)/2 = 3, top (6-3)/2 = 1
        var shorter = new Image(451, 300, 3).ResizeShorterSide(224);
        Assert.Equal((337, 224), (shorter.Width, shorter.Height)); // round(451·224/300 = 336.75)
        var boxed = new Image(40, 20, 3, Enumerable.Repeat((byte)200, 2400).ToArray()).Letterbox(30, 30, fill: 9);
        Assert.Equal((30, 30), (boxed.Width, boxed.Height));
        Assert.Equal(9, boxed[0, 0, 0]);   // padding above (content is 30×15, rows 7..21)
        Assert.Equal(200, boxed[15, 15, 0]);
        Assert.Equal(9, boxed[15, 29, 0]);
    }

    [Fact]
    public void Invalid_geometry_is_refused_with_the_sizes()
    {
        var image = new Image(10, 6, 3);
        Assert.Contains("Resize: target size 0×5", Assert.Throws<ArgumentException>(() => image.Resize(0, 5)).Message);
        Assert.Contains("CenterCrop: 11×3", Assert.Throws<ArgumentException>(() => image.CenterCrop(11, 3)).Message);
        Assert.Contains("Crop: rectangle (8, 0) 3×2", Assert.Throws<ArgumentException>(() => image.Crop(8, 0, 3, 2)).Message);
        Assert.Contains("ResizeShorterSide", Assert.Throws<ArgumentException>(() => image.ResizeShorterSide(-1)).Message);
        Assert.Contains("Letterbox", Assert.Throws<ArgumentException>(() => image.Letterbox(0, 1)).Message);
    }
}
