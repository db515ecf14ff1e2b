namespace Lumen.Attribution.Common;

/// <summary>The sampled, normalised 1-D Gaussian that the blurs of this assembly share (the blurred baseline and the
/// smoothing of optimised perturbation masks).</summary>
/// <remarks>wᵢ = e^(−i²/2σ²) / Σⱼ e^(−j²/2σ²) for |i| ≤ r = ⌈3σ⌉, computed in double and rounded once; applied
/// separably along each spatial axis.</remarks>
internal static class GaussianKernel
{
    /// <summary>The 2r + 1 weights for standard deviation <paramref name="sigma"/> (in samples, positive).</summary>
    public static float[] Create(double sigma)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), $"GaussianKernel: sigma must be positive, got {sigma}.");
        int radius = (int)Math.Ceiling(3 * sigma);
        var g = new double[2 * radius + 1];
        double total = 0;
        for (int i = -radius; i <= radius; i++) total += g[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        var kernel = new float[g.Length];
        for (int i = 0; i < g.Length; i++) kernel[i] = (float)(g[i] / total);
        return kernel;
    }
}
