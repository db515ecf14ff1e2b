using Lumen.Metrics.Common;

namespace Lumen.Metrics.Functions;

/// <summary>A random perturbation added to an input (robustness metrics, infidelity).</summary>
public interface INoise
{
    /// <summary>Adds noise to <paramref name="row"/> in place.</summary>
    void Add(Span<float> row, Random rng);
}

/// <summary>The noises of the function library.</summary>
/// <example><code>Noise.Uniform(0.2f); Noise.Gaussian(0.1f)</code></example>
public static class Noise
{
    /// <summary>δ ~ U(−radius, radius) per element (Quantus <c>uniform_noise</c>, lower/upper bound = ±radius).</summary>
    public static INoise Uniform(float radius) => radius >= 0 ? new UniformNoise(radius) : throw new ArgumentOutOfRangeException(nameof(radius), $"Noise.Uniform: radius must be ≥ 0, got {radius}.");

    /// <summary>δ ~ N(0, σ²) per element (Box–Muller).</summary>
    public static INoise Gaussian(float sigma) => sigma >= 0 ? new GaussianNoise(sigma) : throw new ArgumentOutOfRangeException(nameof(sigma), $"Noise.Gaussian: sigma must be ≥ 0, got {sigma}.");

    private sealed record UniformNoise(float Radius) : INoise
    {
        public void Add(Span<float> row, Random rng)
        {
            for (int i = 0; i < row.Length; i++) row[i] += Radius * (2 * (float)rng.NextDouble() - 1);
        }
        public override string ToString() => $"uniform ±{Radius}";
    }

    private sealed record GaussianNoise(float Sigma) : INoise
    {
        public void Add(Span<float> row, Random rng) => Statistics.AddGaussian(row, Sigma, rng);
        public override string ToString() => $"gaussian σ={Sigma}";
    }
}
