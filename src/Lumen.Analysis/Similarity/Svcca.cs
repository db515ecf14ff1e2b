using Lumen.Analysis.Common;
using Lumen.Tensors;

namespace Lumen.Analysis.Similarity;

/// <summary>
/// Singular vector canonical correlation analysis (Raghu et al. 2017, https://arxiv.org/abs/1706.05806): reduce each
/// representation to its leading singular directions, then average the canonical correlations between them.
/// </summary>
/// <remarks>SVCCA(X, Y) = (1/m) Σᵢ ρᵢ, where ρ are the canonical correlations of the top-k singular subspaces of the
/// column-centred X and Y (k reaching <see cref="SvccaOptions.VarianceKept"/> of the variance), m = min(kx, ky).</remarks>
/// <example><code>var s = Svcca.Compare(layer3, layer4); Console.WriteLine($"{s.Value:F3} over {s.Correlations.Count} directions");</code></example>
public static class Svcca
{
    /// <summary>SVCCA between <paramref name="x"/> [N, …] and <paramref name="y"/> [N, …] (examples on axis 0).</summary>
    /// <exception cref="ArgumentException">Different example counts, fewer than 2 examples, a constant representation,
    /// or VarianceKept outside (0, 1].</exception>
    public static CcaSimilarity Compare(Tensor x, Tensor y, SvccaOptions? options = null)
    {
        options ??= new SvccaOptions();
        if (!(options.VarianceKept > 0 && options.VarianceKept <= 1))
            throw new ArgumentException($"Svcca: VarianceKept must be in (0, 1], got {options.VarianceKept}.", nameof(options));
        var (mx, my) = Pair(x, y, "Svcca");
        var (_, qx) = CanonicalCorrelation.Reduce(mx, options.VarianceKept, "Svcca");
        var (_, qy) = CanonicalCorrelation.Reduce(my, options.VarianceKept, "Svcca");
        var (rho, _) = CanonicalCorrelation.Compute(qx, qy);
        var weights = Enumerable.Repeat(1.0 / rho.Length, rho.Length).ToArray();
        return new CcaSimilarity(rho.Average(), rho, weights, qx.Cols, qy.Cols);
    }

    internal static (Matrix X, Matrix Y) Pair(Tensor x, Tensor y, string what)
    {
        var mx = Matrix.FromExamples(x, what);
        var my = Matrix.FromExamples(y, what);
        if (mx.Rows != my.Rows) throw new ArgumentException($"{what}: x has {mx.Rows} examples but y has {my.Rows}; both must describe the same examples.");
        if (mx.Rows < 2) throw new ArgumentException($"{what}: needs at least 2 examples, got {mx.Rows}.");
        return (mx, my);
    }
}
