namespace Lumen.Imaging.Tests;

public class PngDecoderTests
{
    public static IEnumerable<object[]> PngFixtures => TestData.FixturesWithExtension(".png");

    [Theory]
    [MemberData(nameof(PngFixtures))]
    public void Decodes_every_colour_type_bit_depth_and_interlace_exactly(string name)
    {
        var image = Image.Load(TestData.Fixture(name + ".png"));
        var (max, _) = TestData.Diff(TestData.Raw(name), image);
        Assert.Equal(0, max);
    }

    [Fact]
    public void Fixture_set_covers_all_colour_types_depths_and_interlace()
    {
        var names = PngFixtures.Select(o => (string)o[0]).ToHashSet();
        foreach (var n in new[] { "grey1", "grey2", "grey4", "grey8", "grey16", "palette1", "palette2", "palette4", "palette8",
                     "rgb8", "rgb16", "greyalpha8", "greyalpha16", "rgba8", "rgba16", "rgb8_trns", "palette4_trns", "grey16_trns" })
        {
            Assert.Contains(n, names);
            Assert.Contains(n + "_i", names);
        }
    }

    [Fact]
    public void Bad_crc_is_reported_with_the_chunk_name()
    {
        var data = File.ReadAllBytes(TestData.Fixture("rgb8.png"));
        data[8 + 8 + 5] ^= 0x40; // a byte inside IHDR's body
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data, "rgb8.png"));
        Assert.Contains("PNG (rgb8.png)", ex.Message);
        Assert.Contains("CRC mismatch in chunk 'IHDR'", ex.Message);
    }

    [Fact]
    public void Truncated_file_is_reported()
    {
        var data = File.ReadAllBytes(TestData.Fixture("rgba8.png"));
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data[..(data.Length / 2)], "half.png"));
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void Missing_signature_is_reported()
    {
        var ex = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode([1, 2, 3, 4, 5, 6, 7, 8, 9], "x"));
        Assert.Contains("signature", ex.Message);
    }

    [Fact]
    public void Unknown_signature_names_the_supported_formats()
    {
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode("GIF89a......"u8.ToArray(), "anim.gif"));
        Assert.Contains("anim.gif", ex.Message);
        Assert.Contains("PNG, JPEG, BMP or PNM", ex.Message);
    }

    [Fact]
    public void Illegal_colour_type_and_depth_is_refused()
    {
        var image = new Image(3, 2, 3);
        var data = PngEncoder.Encode(image);
        data[8 + 8 + 8] = 4; // bit depth 4 with colour type 2 (RGB) is illegal
        FixCrc(data, 8);
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data, "bad.png"));
        Assert.Contains("illegal colour type 2 with bit depth 4", ex.Message);
    }

    [Fact]
    public void Palette_index_beyond_palette_is_refused()
    {
        var data = File.ReadAllBytes(TestData.Fixture("palette8.png"));
        // Shrink PLTE to one entry: rewrite its length and CRC, keeping the chunk's position.
        int p = IndexOf(data, "PLTE"u8) - 4;
        int length = data[p] << 24 | data[p + 1] << 16 | data[p + 2] << 8 | data[p + 3];
        var patched = new List<byte>(data[..p]);
        patched.AddRange([0, 0, 0, 3]);
        patched.AddRange(data[(p + 4)..(p + 11)]);
        var crc = Crc32.Compute(data.AsSpan(p + 4, 7));
        patched.AddRange([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
        patched.AddRange(data[(p + 12 + length)..]);
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(patched.ToArray(), "p.png"));
        Assert.Contains("palette index", ex.Message);
    }

    internal static int IndexOf(byte[] data, ReadOnlySpan<byte> pattern) => data.AsSpan().IndexOf(pattern);

    /// <summary>Recomputes the CRC of the chunk starting at <paramref name="p"/>.</summary>
    internal static void FixCrc(byte[] data, int p)
    {
        int length = data[p] << 24 | data[p + 1] << 16 | data[p + 2] << 8 | data[p + 3];
        uint crc = Crc32.Compute(data.AsSpan(p + 4, length + 4));
        int c = p + 8 + length;
        data[c] = (byte)(crc >> 24);
        data[c + 1] = (byte)(crc >> 16);
        data[c + 2] = (byte)(crc >> 8);
        data[c + 3] = (byte)crc;
    }
}
