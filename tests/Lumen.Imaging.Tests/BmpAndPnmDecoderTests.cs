using System.Text;

namespace Lumen.Imaging.Tests;

public class BmpAndPnmDecoderTests
{
    [Theory]
    [InlineData("bmp24.bmp", "bmp24")]
    [InlineData("bmp8.bmp", "bmp8")]
    [InlineData("bmp1.bmp", "bmp1")]
    [InlineData("bmp32.bmp", "bmp32")]
    [InlineData("ppm_p6.ppm", "ppm_p6")]
    [InlineData("pgm_p5.pgm", "pgm_p5")]
    public void Decodes_fixtures_exactly(string file, string raw)
    {
        var (max, _) = TestData.Diff(TestData.Raw(raw), Image.Load(TestData.Fixture(file)));
        Assert.Equal(0, max);
    }

    [Fact]
    public void Top_down_bmp_equals_bottom_up()
    {
        var data = File.ReadAllBytes(TestData.Fixture("bmp24.bmp"));
        var bottomUp = Image.Load(TestData.Fixture("bmp24.bmp"));
        int height = BitConverter.ToInt32(data, 22);
        int stride = (bottomUp.Width * 3 + 3) / 4 * 4, offset = BitConverter.ToInt32(data, 10);
        var flipped = (byte[])data.Clone();
        for (int y = 0; y < height; y++)
            Array.Copy(data, offset + y * stride, flipped, offset + (height - 1 - y) * stride, stride);
        BitConverter.GetBytes(-height).CopyTo(flipped, 22);
        Assert.Equal(bottomUp.Pixels, ImageDecoder.Decode(flipped).Pixels);
    }

    [Fact]
    public void Text_pnm_variants_decode()
    {
        var p3 = Image.Load(new MemoryStream(Encoding.ASCII.GetBytes("P3\n# comment\n2 1\n100\n100 0 50  0 100 25\n")));
        Assert.Equal([255, 0, 128, 0, 255, 64], p3.Pixels);
        var p2 = Image.Load(new MemoryStream(Encoding.ASCII.GetBytes("P2 3 1 255 0 7 255")));
        Assert.Equal([0, 7, 255], p2.Pixels);
        var p1 = Image.Load(new MemoryStream(Encoding.ASCII.GetBytes("P1 3 1 1 0 1")));
        Assert.Equal([0, 255, 0], p1.Pixels);
        var p4 = Image.Load(new MemoryStream([.. Encoding.ASCII.GetBytes("P4 3 1\n"), 0b1010_0000]));
        Assert.Equal([0, 255, 0], p4.Pixels);
    }

    [Fact]
    public void Sixteen_bit_pgm_is_rescaled()
    {
        var pgm = Image.Load(new MemoryStream([.. Encoding.ASCII.GetBytes("P5 2 1 65535\n"), 0xFF, 0xFF, 0x80, 0x00]));
        Assert.Equal([255, 128], pgm.Pixels);
    }

    [Theory]
    [InlineData("P6 2 2 255\n\x01\x02", "truncated")]
    [InlineData("P6 2 x 255\n", "height")]
    [InlineData("P5 2 1 0\n\x00\x00", "maxval")]
    [InlineData("P2 2 1 10 3 11", "exceeds maxval")]
    public void Bad_pnm_is_reported(string text, string expected)
    {
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(Encoding.Latin1.GetBytes(text), "t.pnm"));
        Assert.Contains("PNM (t.pnm)", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Rle_bmp_is_refused_by_name()
    {
        var data = File.ReadAllBytes(TestData.Fixture("bmp8.bmp"));
        data[30] = 1;
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data, "rle.bmp"));
        Assert.Contains("RLE", ex.Message);
    }

    [Fact]
    public void Truncated_bmp_is_reported()
    {
        var data = File.ReadAllBytes(TestData.Fixture("bmp24.bmp"));
        var ex = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data[..(data.Length - 100)], "cut.bmp"));
        Assert.Contains("BMP (cut.bmp): truncated", ex.Message);
    }

    /// <summary>Builds a BMP: 14-byte file header, a BITMAPINFOHEADER (40) or BITMAPV4HEADER (108) with the given
    /// masks, an optional palette, then the given rows (already padded, bottom-up unless height is negative).</summary>
    private static byte[] Bmp(int width, int height, int bpp, int compression, uint[]? masks, byte[] palette, byte[] rows)
    {
        int header = masks is null ? 40 : 108;
        int offset = 14 + header + palette.Length;
        var d = new byte[offset + rows.Length];
        d[0] = (byte)'B';
        d[1] = (byte)'M';
        BitConverter.GetBytes(d.Length).CopyTo(d, 2);
        BitConverter.GetBytes(offset).CopyTo(d, 10);
        BitConverter.GetBytes(header).CopyTo(d, 14);
        BitConverter.GetBytes(width).CopyTo(d, 18);
        BitConverter.GetBytes(height).CopyTo(d, 22);
        BitConverter.GetBytes((short)1).CopyTo(d, 26);
        BitConverter.GetBytes((short)bpp).CopyTo(d, 28);
        BitConverter.GetBytes(compression).CopyTo(d, 30);
        BitConverter.GetBytes(palette.Length / 4).CopyTo(d, 46);
        for (int i = 0; masks is not null && i < 4; i++) BitConverter.GetBytes(masks[i]).CopyTo(d, 54 + 4 * i);
        palette.CopyTo(d, 14 + header);
        rows.CopyTo(d, offset);
        return d;
    }

    [Fact]
    public void Sixteen_bit_565_bitfields_are_expanded()
    {
        // One row, two pixels: pure red (0xF800) and a mid green (0x0400 = 32 of 63), padded to 4 bytes.
        var data = Bmp(2, 1, 16, 3, [0xF800, 0x07E0, 0x001F, 0], [], [0x00, 0xF8, 0x00, 0x04]);
        var image = ImageDecoder.Decode(data, "565.bmp");
        Assert.Equal([255, 0, 0, 0, 32 * 255 / 63, 0], image.Pixels);
    }

    [Fact]
    public void Thirty_two_bit_with_alpha_mask_keeps_alpha_top_down()
    {
        // V4 header, BI_BITFIELDS, masks R=0x00FF0000 G=0x0000FF00 B=0x000000FF A=0xFF000000, height −2 (top-down).
        byte[] rows = [10, 20, 30, 40, /* row 0: B G R A */ 50, 60, 70, 80];
        var image = ImageDecoder.Decode(Bmp(1, -2, 32, 3, [0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000], [], rows), "a.bmp");
        Assert.Equal(4, image.Channels);
        Assert.Equal([30, 20, 10, 40, 70, 60, 50, 80], image.Pixels);
    }

    [Fact]
    public void Four_bit_palette_decodes_both_nibbles()
    {
        byte[] palette = [0, 0, 255, 0, /* red */ 0, 255, 0, 0 /* green */];
        var image = ImageDecoder.Decode(Bmp(3, 1, 4, 0, null, palette, [0x01, 0x00, 0x00, 0x00]), "p4.bmp");
        Assert.Equal([255, 0, 0, 0, 255, 0, 255, 0, 0], image.Pixels);
    }
}
