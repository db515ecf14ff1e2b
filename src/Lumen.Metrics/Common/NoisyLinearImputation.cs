namespace Lumen.Metrics.Common;

/// <summary>
/// Noisy linear imputation (ROAD): every removed pixel takes the mean of its 4-neighbours, solved per channel by
/// Gauss–Seidel sweeps started from the mean of the kept pixels, then gets Gaussian noise. Unlike a constant fill, the
/// filled region continues the image around it, so the shape of the removed set leaks far less class information.
/// </summary>
/// <remarks>vᵢ = mean_{j∈N(i)} vⱼ for removed i, then vᵢ += N(0, σ²). Rong et al., "A consistent and efficient evaluation
/// strategy for attribution methods" (ICML 2022), https://arxiv.org/abs/2202.00449</remarks>
internal static class NoisyLinearImputation
{
    /// <summary>A copy of <paramref name="row"/> (one sample, <paramref name="layout"/>) with the
    /// <paramref name="removed"/> pixels (indices into one plane) imputed in every channel.</summary>
    public static float[] Impute(FeatureLayout layout, ReadOnlySpan<float> row, ReadOnlySpan<int> removed, int sweeps, float sigma, Random rng)
    {
        var result = row.ToArray();
        var isRemoved = new bool[layout.Features];
        foreach (int f in removed) isRemoved[f] = true;
        int h = layout.Height, w = layout.Width, plane = layout.Features;
        for (int c = 0; c < layout.Channels; c++)
        {
            var v = result.AsSpan(c * plane, plane);
            double known = 0;
            int knownCount = 0;
            for (int f = 0; f < plane; f++) if (!isRemoved[f]) { known += v[f]; knownCount++; }
            float start = knownCount == 0 ? 0 : (float)(known / knownCount);
            foreach (int f in removed) v[f] = start;
            for (int sweep = 0; sweep < sweeps; sweep++)
                foreach (int f in removed)
                {
                    int y = f / w, x = f % w, n = 0;
                    double sum = 0;
                    if (y > 0) { sum += v[f - w]; n++; }
                    if (y < h - 1) { sum += v[f + w]; n++; }
                    if (x > 0) { sum += v[f - 1]; n++; }
                    if (x < w - 1) { sum += v[f + 1]; n++; }
                    if (n > 0) v[f] = (float)(sum / n);
                }
            if (sigma == 0) continue;
            foreach (int f in removed) v[f] += (float)Statistics.Gaussian(rng, sigma);
        }
        return result;
    }
}
