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
}
