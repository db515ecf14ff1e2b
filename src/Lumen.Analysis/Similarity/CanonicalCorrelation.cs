using Lumen.Analysis.Common;

namespace Lumen.Analysis.Similarity;

/// <summary>Canonical correlation analysis of two column spaces given by orthonormal bases.</summary>
/// <remarks>With orthonormal bases Qx (n × p), Qy (n × q) of the centred representations, the canonical correlations
/// are the singular values of M = QxᵀQy, and x's canonical variates are Qx·u for the left singular vectors u
/// (Björck &amp; Golub 1973). The singular values come from the eigen-decomposition of MMᵀ.</remarks>
internal static class CanonicalCorrelation
{
    /// <summary>The min(p, q) canonical correlations (descending) and x's canonical variates (n × min(p, q), unit columns).</summary>
    public static (double[] Correlations, Matrix VariatesX) Compute(Matrix qx, Matrix qy)
    {
        var m = qx.TransposeTimes(qy);                       // [p, q]
        var (values, u) = m.Times(m.Transpose()).SymmetricEigen(); // eigenvectors of MMᵀ: left singular vectors
        int count = Math.Min(qx.Cols, qy.Cols);
        var correlations = values.Take(count).Select(v => Math.Clamp(Math.Sqrt(Math.Max(v, 0)), 0, 1)).ToArray();
        return (correlations, qx.Times(u.Columns(0, count)));
    }

    /// <summary>Centred examples of a tensor and an orthonormal basis of their leading directions.</summary>
    public static (Matrix Centered, Matrix Basis) Reduce(Matrix examples, double varianceKept, string what)
    {
        var centered = examples.CenterColumns();
        var (basis, _) = centered.LeftSingularBasis(varianceKept);
        if (basis.Cols == 0) throw new ArgumentException($"{what}: a representation is constant over the examples; CCA is undefined.");
        return (centered, basis);
    }
}
