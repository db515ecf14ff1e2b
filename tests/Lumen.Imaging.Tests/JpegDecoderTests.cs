using Xunit.Abstractions;

namespace Lumen.Imaging.Tests;

public class JpegDecoderTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> JpegFixtures => TestData.FixturesWithExtension(".jpg");

    /// <summary>Expected pixels are libjpeg-turbo's (through Pillow 9.4): within 2 levels is the contract; in practice
    /// the integer IDCT, fancy upsampling and colour conversion reproduce them exactly.</summary>
    [Theory]
    [MemberData(nameof(JpegFixtures))]
    public void Decodes_within_two_levels_of_libjpeg(string name)
    {
        var image = Image.Load(TestData.Fixture(name + ".jpg"));
        var (max, mean) = TestData.Diff(TestData.Raw(name), image);
        output.WriteLine($"{name}: max {max}, mean {mean:F4}");
        Assert.True(max <= 2, $"{name}: max abs diff {max} (mean {mean:F4})");
    }

    [Fact]
    public void Fixture_set_covers_subsampling_progressive_grey_and_restarts()
    {
        var names = JpegFixtures.Select(o => (string)o[0]).ToHashSet();
        foreach (var n in new[] { "jpeg_444", "jpeg_422", "jpeg_420", "jpeg_440", "jpeg_411", "jpeg_420_progressive",
                     "jpeg_grey", "jpeg_grey_progressive", "jpeg_420_restart", "jpeg_progressive_restart", "jpeg_rgb" })
            Assert.Contains(n, names);
    }

    [Fact]
    public void Exif_orientation_is_applied_and_can_be_skipped()
    {
        var data = File.ReadAllBytes(TestData.Fixture("jpeg_exif_orientation6.jpg"));
        var upright = Image.Load(TestData.Fixture("jpeg_exif_orientation6.jpg"));
        var stored = JpegDecoder.Decode(data, "exif", applyExifOrientation: false);
        Assert.Equal((stored.Height, stored.Width), (upright.Width, upright.Height));
        // Rotating 90° clockwise: upright(x, y) = stored(y, H − 1 − x).
        for (int y = 0; y < upright.Height; y += 5)
            for (int x = 0; x < upright.Width; x += 3)
                Assert.Equal(stored[y, stored.Height - 1 - x, 1], upright[x, y, 1]);
    }

    [Fact]
    public void Islow_idct_stays_within_one_level_of_the_exact_transform()
    {
        var rng = new Random(5);
        var quant = Enumerable.Repeat((ushort)1, 64).ToArray();
        var fast = new byte[64];
        var exact = new byte[64];
        int worst = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            var coefficients = new short[64];
            for (int k = 0; k < 64; k++)
                coefficients[k] = (short)(k == 0 ? rng.Next(-1000, 1000) : rng.Next(6) == 0 ? rng.Next(-200, 200) : 0);
            InverseDct.Transform(coefficients, quant, fast, 0, 8);
            InverseDct.TransformExact(coefficients, quant, exact, 0, 8);
            for (int i = 0; i < 64; i++) worst = Math.Max(worst, Math.Abs(fast[i] - exact[i]));
        }
        Assert.True(worst <= 1, $"islow differs from the exact IDCT by {worst}");
    }

    [Theory]
    [InlineData(0xC9, "arithmetic coding")]
    [InlineData(0xC3, "lossless")]
    public void Unsupported_frame_types_are_refused_by_name(int marker, string expected)
    {
        var data = File.ReadAllBytes(TestData.Fixture("jpeg_444.jpg"));
        int sof = FindMarker(data, 0xC0);
        data[sof + 1] = (byte)marker;
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data, "a.jpg"));
        Assert.Contains("JPEG (a.jpg)", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Four_component_images_are_refused()
    {
        var data = File.ReadAllBytes(TestData.Fixture("jpeg_444.jpg"));
        int sof = FindMarker(data, 0xC0);
        data[sof + 9] = 4;
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data, "cmyk.jpg"));
        Assert.Contains("CMYK", ex.Message);
    }

    [Fact]
    public void Twelve_bit_precision_is_refused()
    {
        var data = File.ReadAllBytes(TestData.Fixture("jpeg_grey.jpg"));
        int sof = FindMarker(data, 0xC0);
        data[sof + 4] = 12;
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data, "deep.jpg"));
        Assert.Contains("12-bit", ex.Message);
    }

    [Fact]
    public void File_cut_before_the_scan_is_reported()
    {
        var data = File.ReadAllBytes(TestData.Fixture("jpeg_420.jpg"));
        int sos = FindMarker(data, 0xDA);
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data[..sos], "cut.jpg"));
        Assert.Contains("truncated", ex.Message);
    }

    private static int FindMarker(byte[] data, int marker)
    {
        for (int i = 2; i + 1 < data.Length; i++)
            if (data[i] == 0xFF && data[i + 1] == marker) return i;
        throw new InvalidOperationException($"marker {marker:X2} not found");
    }
}
