using Lumen.Tensors;

namespace Lumen.Analysis.Similarity;

/// <summary>
/// Projection-weighted CCA (Morcos, Raghu &amp; Bengio 2018, https://arxiv.org/abs/1806.05759): canonical
/// correlations weighted by how much of x's neurons each canonical direction accounts for, so that directions the
/// representation barely uses do not count as much as the ones it relies on.
/// </summary>
/// <remarks>With x's canonical variates hᵢ (unit vectors) and x's centred neurons xⱼ (columns),
/// α̃ᵢ = Σⱼ |⟨hᵢ, xⱼ⟩|, αᵢ = α̃ᵢ / Σₖ α̃ₖ and PWCCA(X, Y) = Σᵢ αᵢ ρᵢ. PWCCA is not symmetric: the weights come from x.
/// Every direction of x and y above the rank tolerance is kept (no SVD truncation).</remarks>
/// <example><code>var p = Pwcca.Compare(layer3, layer4); Console.WriteLine(p.Value);</code></example>
public static class Pwcca
{
    /// <summary>PWCCA of <paramref name="x"/> [N, …] with respect to <paramref name="y"/> [N, …].</summary>
    /// <exception cref="ArgumentException">Different example counts, fewer than 2 examples, or a constant representation.</exception>
    public static CcaSimilarity Compare(Tensor x, Tensor y)
    {
        var (mx, my) = Svcca.Pair(x, y, "Pwcca");
        var (xc, qx) = CanonicalCorrelation.Reduce(mx, 1.0, "Pwcca");
        var (_, qy) = CanonicalCorrelation.Reduce(my, 1.0, "Pwcca");
        var (rho, variates) = CanonicalCorrelation.Compute(qx, qy);
        var projections = variates.TransposeTimes(xc);            // [m, d]: ⟨hᵢ, xⱼ⟩
        var weights = new double[rho.Length];
        for (int i = 0; i < rho.Length; i++)
            for (int j = 0; j < projections.Cols; j++) weights[i] += Math.Abs(projections[i, j]);
        double total = weights.Sum();
        for (int i = 0; i < weights.Length; i++) weights[i] /= total;
        double value = 0;
        for (int i = 0; i < rho.Length; i++) value += weights[i] * rho[i];
        return new CcaSimilarity(value, rho, weights, qx.Cols, qy.Cols);
    }
}
