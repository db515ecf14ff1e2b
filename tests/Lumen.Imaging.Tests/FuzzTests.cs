using System.Diagnostics;

namespace Lumen.Imaging.Tests;

/// <summary>Mutated and truncated real files: the only exception allowed out of the decoders is
/// <see cref="ImageFormatException"/>, and every decode finishes quickly.</summary>
public class FuzzTests
{
    public static IEnumerable<object[]> Seeds =>
    [
        ["rgba8_i.png"], ["palette2_trns.png"], ["grey16.png"], ["jpeg_420.jpg"], ["jpeg_420_progressive.jpg"],
        ["jpeg_progressive_restart.jpg"], ["jpeg_grey.jpg"], ["jpeg_exif_orientation6.jpg"], ["bmp8.bmp"], ["bmp1.bmp"],
        ["bmp24.bmp"], ["ppm_p6.ppm"],
    ];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Corrupt_input_only_raises_ImageFormatException(string file)
    {
        var original = File.ReadAllBytes(TestData.Fixture(file));
        var rng = new Random(file.Length * 7919 + original.Length);
        var budget = Stopwatch.StartNew();
        int decoded = 0, rejected = 0;
        for (int trial = 0; trial < 300 && budget.ElapsedMilliseconds < 4000; trial++)
        {
            var data = Mutate(original, rng, trial);
            var one = Stopwatch.StartNew();
            try
            {
                ImageDecoder.Decode(data, $"{file}#{trial}");
                decoded++;
            }
            catch (ImageFormatException)
            {
                rejected++;
            }
            Assert.True(one.ElapsedMilliseconds < 2000, $"{file} trial {trial} took {one.ElapsedMilliseconds} ms");
        }
        Assert.True(decoded + rejected > 20);
        Assert.True(rejected > 0, "no mutation was rejected: the fuzzer is not reaching the checks");
    }

    private static byte[] Mutate(byte[] original, Random rng, int trial)
    {
        switch (trial % 4)
        {
            case 0:
                return original[..rng.Next(original.Length)]; // truncation
            case 1:
            {
                var data = (byte[])original.Clone();
                int flips = 1 + rng.Next(8);
                for (int i = 0; i < flips; i++) data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                return data;
            }
            case 2:
            {
                // Header damage: random bytes in the first 64 bytes (dimensions, depths, tables).
                var data = (byte[])original.Clone();
                int i = rng.Next(Math.Min(64, data.Length));
                data[i] = (byte)rng.Next(256);
                return data;
            }
            default:
            {
                // Cut a random slice out of the middle.
                int start = rng.Next(original.Length), length = rng.Next(1, 64);
                length = Math.Min(length, original.Length - start);
                return [.. original[..start], .. original[(start + length)..]];
            }
        }
    }
}
