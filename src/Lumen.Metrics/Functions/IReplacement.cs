namespace Lumen.Metrics.Functions;

/// <summary>What a removed feature is replaced with: fills a whole row, from which removed features are copied.</summary>
public interface IReplacement
{
    /// <summary>The fill for <paramref name="row"/> (one sample, <paramref name="channels"/> planes of equal size).</summary>
    float[] Fill(ReadOnlySpan<float> row, int channels, Random rng);
}

/// <summary>The replacements of the function library (Quantus <c>baseline_replacement_by_indices</c> and friends).</summary>
/// <example><code>Replacement.Constant(0); Replacement.ChannelMean; Replacement.UniformNoise(0, 1)</code></example>
public static class Replacement
{
    /// <summary>Every removed value becomes <paramref name="value"/>.</summary>
    public static IReplacement Constant(float value) => new ConstantReplacement(value);

    /// <summary>Zero (Quantus' default "black").</summary>
    public static IReplacement Zero { get; } = new ConstantReplacement(0);

    /// <summary>The mean of the sample's channel.</summary>
    public static IReplacement ChannelMean { get; } = new ChannelMeanReplacement();

    /// <summary>Uniform noise in [low, high).</summary>
    public static IReplacement UniformNoise(float low, float high) => new NoiseReplacement(low, high);

    private sealed record ConstantReplacement(float Value) : IReplacement
    {
        public float[] Fill(ReadOnlySpan<float> row, int channels, Random rng)
        {
            var fill = new float[row.Length];
            Array.Fill(fill, Value);
            return fill;
        }
        public override string ToString() => $"constant {Value}";
    }

    private sealed record ChannelMeanReplacement : IReplacement
    {
        public float[] Fill(ReadOnlySpan<float> row, int channels, Random rng)
        {
            var fill = new float[row.Length];
            int plane = row.Length / channels;
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                foreach (var v in row.Slice(c * plane, plane)) sum += v;
                Array.Fill(fill, (float)(sum / plane), c * plane, plane);
            }
            return fill;
        }
        public override string ToString() => "channel mean";
    }

    private sealed record NoiseReplacement(float Low, float High) : IReplacement
    {
        public float[] Fill(ReadOnlySpan<float> row, int channels, Random rng)
        {
            var fill = new float[row.Length];
            for (int i = 0; i < fill.Length; i++) fill[i] = Low + (High - Low) * (float)rng.NextDouble();
            return fill;
        }
        public override string ToString() => $"uniform noise [{Low}, {High})";
    }
}
