using System.Text;
using Lumen.Imaging;

namespace Lumen.Imaging.Tests;

/// <summary>Locates committed fixtures (the optional ../shared folder is found by <see cref="SharedData"/>).</summary>
internal static class TestData
{
    public static string FixtureDir { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Fixture(string name) => Path.Combine(FixtureDir, name);

    public static IEnumerable<object[]> FixturesWithExtension(string ext) =>
        Directory.EnumerateFiles(FixtureDir, "*" + ext).Select(Path.GetFileNameWithoutExtension).Order().Select(n => new object[] { n! });

    /// <summary>Reads an expected-pixels file: "W H C\n" + W·H·C bytes.</summary>
    public static Image Raw(string name)
    {
        var bytes = File.ReadAllBytes(Fixture(name + ".raw"));
        int nl = Array.IndexOf(bytes, (byte)'\n');
        var dims = Encoding.ASCII.GetString(bytes, 0, nl).Split(' ').Select(int.Parse).ToArray();
        return new Image(dims[0], dims[1], dims[2], bytes[(nl + 1)..]);
    }

    /// <summary>Largest and mean absolute sample difference; asserts equal dimensions.</summary>
    public static (int Max, double Mean) Diff(Image expected, Image actual)
    {
        Assert.Equal((expected.Width, expected.Height, expected.Channels), (actual.Width, actual.Height, actual.Channels));
        int max = 0;
        long sum = 0;
        for (int i = 0; i < expected.Pixels.Length; i++)
        {
            int d = Math.Abs(expected.Pixels[i] - actual.Pixels[i]);
            max = Math.Max(max, d);
            sum += d;
        }
        return (max, (double)sum / expected.Pixels.Length);
    }
}
