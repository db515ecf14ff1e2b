namespace Lumen.Imaging.Tests;

public class PngEncoderTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(17, 5, 1)]
    [InlineData(31, 12, 3)]
    [InlineData(8, 33, 4)]
    [InlineData(64, 64, 3)]
    public void Round_trips_random_and_smooth_images(int w, int h, int c)
    {
        var rng = new Random(w * 100 + h + c);
        var image = new Image(w, h, c);
        for (int i = 0; i < image.Pixels.Length; i++)
            image.Pixels[i] = (byte)(i % 3 == 0 ? rng.Next(256) : (i / c) % w * 4);
        var decoded = PngDecoder.Decode(PngEncoder.Encode(image));
        Assert.Equal((w, h, c), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Round_trips_a_decoded_fixture_through_a_file()
    {
        var image = Image.Load(TestData.Fixture("rgba8_i.png"));
        var path = Path.Combine(Path.GetTempPath(), $"lumen-png-{Guid.NewGuid():N}.png");
        try
        {
            image.SavePng(path);
            Assert.Equal(image.Pixels, Image.Load(path).Pixels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Smooth_images_compress()
    {
        var image = new Image(128, 128, 3);
        for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (byte)(i / 3 % 128);
        Assert.True(PngEncoder.Encode(image).Length < image.Pixels.Length / 20);
    }
}
