namespace Lumen.Samples.MnistTraining;

/// <summary>Random translations of square single-channel images, filling uncovered pixels with the background value.</summary>
internal static class Augmentation
{
    /// <summary>Shifts each of <paramref name="count"/> images by a random (dy, dx) in [−maxShift, maxShift]²; returns new pixels.</summary>
    public static float[] RandomShift(float[] images, int count, int maxShift, Random rng)
    {
        int pixels = images.Length / count, side = (int)Math.Sqrt(pixels);
        var shifted = new float[images.Length];
        for (int n = 0; n < count; n++)
        {
            var source = images.AsSpan(n * pixels, pixels);
            var target = shifted.AsSpan(n * pixels, pixels);
            float background = source[0]; // corners are background in MNIST
            target.Fill(background);
            int dy = rng.Next(-maxShift, maxShift + 1), dx = rng.Next(-maxShift, maxShift + 1);
            for (int row = Math.Max(0, dy); row < Math.Min(side, side + dy); row++)
            {
                int fromColumn = Math.Max(0, -dx), toColumn = Math.Max(0, dx), width = side - Math.Abs(dx);
                source.Slice((row - dy) * side + fromColumn, width).CopyTo(target.Slice(row * side + toColumn, width));
            }
        }
        return shifted;
    }
}
