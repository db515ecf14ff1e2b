using Lumen.Imaging;

namespace Lumen.Reports.Analyze;

/// <summary>Generated concept images for concept tests: black-and-white stripes at random angles, periods and phases,
/// and random crops of photos (random concepts).</summary>
public static class ConceptImages
{
    /// <summary><paramref name="count"/> striped RGB images of <paramref name="size"/>², seeded.</summary>
    /// <remarks>pixel = 255 if sin(2π(x cos θ + y sin θ)/T + φ) &gt; 0 else 0, with θ ∈ [0, π), T ∈ [8, 24) px, φ ∈ [0, 2π).</remarks>
    public static List<Image> Stripes(int count, int size, int seed)
    {
        var rng = new Random(seed);
        var images = new List<Image>();
        for (int n = 0; n < count; n++)
        {
            double theta = rng.NextDouble() * Math.PI, period = 8 + rng.NextDouble() * 16, phase = rng.NextDouble() * 2 * Math.PI;
            var image = new Image(size, size, 3);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    byte v = Math.Sin(2 * Math.PI * (x * Math.Cos(theta) + y * Math.Sin(theta)) / period + phase) > 0 ? (byte)255 : (byte)0;
                    int at = (y * size + x) * 3;
                    image.Pixels[at] = image.Pixels[at + 1] = image.Pixels[at + 2] = v;
                }
            images.Add(image);
        }
        return images;
    }

    /// <summary><paramref name="count"/> random square crops (a third to all of the shorter side, resized to
    /// <paramref name="size"/>²) of <paramref name="photos"/>, seeded.</summary>
    public static List<Image> RandomCrops(IReadOnlyList<Image> photos, int count, int size, int seed)
    {
        ArgumentNullException.ThrowIfNull(photos);
        if (photos.Count == 0) throw new ArgumentException("ConceptImages: no photos to crop.", nameof(photos));
        var rng = new Random(seed);
        var images = new List<Image>();
        for (int n = 0; n < count; n++)
        {
            var photo = photos[rng.Next(photos.Count)].ToRgb();
            int side = Math.Min(photo.Width, photo.Height), crop = Math.Max(8, (int)(side * (1 / 3.0 + rng.NextDouble() * 2 / 3.0)));
            int left = rng.Next(photo.Width - crop + 1), top = rng.Next(photo.Height - crop + 1);
            images.Add(photo.Crop(left, top, crop, crop).Resize(size, size));
        }
        return images;
    }
}
