using Lumen.Analysis.Common;
using Lumen.Tensors;

namespace Lumen.Analysis.Projection;

/// <summary>
/// Principal component analysis of activations (Pearson 1901; Hotelling 1933): the orthogonal directions of largest
/// variance, to project a layer's representation of many examples onto a plane.
/// </summary>
/// <remarks>With column-centred X (N × D): X = UΣVᵀ; components are the first k columns of V, the explained variance
/// of component i is σᵢ²/(N − 1) and its ratio σᵢ²/Σⱼσⱼ². Projections are (x − μ)V_k. Each component's sign is fixed
/// so that its largest-magnitude entry is positive.</remarks>
/// <example><code>
/// var pca = Pca.Fit(activations.Flatten(1), components: 2);   // [N, D] → 2 directions
/// var xy = pca.Transform(activations.Flatten(1));            // [N, 2] for a scatter plot
/// </code></example>
public sealed class Pca
{
    private Pca(Tensor mean, Tensor components, double[] variance, double[] ratio)
    {
        Mean = mean;
        Components = components;
        ExplainedVariance = variance;
        ExplainedVarianceRatio = ratio;
    }

    /// <summary>The feature means μ, [D].</summary>
    public Tensor Mean { get; }

    /// <summary>The principal directions as rows, [k, D].</summary>
    public Tensor Components { get; }

    /// <summary>Variance along each component (σᵢ²/(N − 1)).</summary>
    public IReadOnlyList<double> ExplainedVariance { get; }

    /// <summary>Fraction of the total variance along each component.</summary>
    public IReadOnlyList<double> ExplainedVarianceRatio { get; }

    /// <summary>Fits <paramref name="components"/> components to <paramref name="x"/> [N, …] (flattened to [N, D]).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 examples, components &lt; 1, or more than the data's rank.</exception>
    public static Pca Fit(Tensor x, int components = 2)
    {
        var m = Matrix.FromExamples(x, "Pca");
        if (m.Rows < 2) throw new ArgumentException($"Pca: needs at least 2 examples, got {m.Rows}.");
        if (components < 1) throw new ArgumentException($"Pca: components must be ≥ 1, got {components}.");
        var centered = m.CenterColumns();
        var (u, sigma) = centered.LeftSingularBasis();
        if (components > sigma.Length)
            throw new ArgumentException($"Pca: asked for {components} components but the centred data has rank {sigma.Length}.");
        var v = centered.TransposeTimes(u.Columns(0, components)); // [D, k]: X^T u_i = σ_i v_i
        var rows = new float[components * m.Cols];
        for (int i = 0; i < components; i++)
        {
            int sign = 1;
            double largest = 0;
            for (int d = 0; d < m.Cols; d++)
                if (Math.Abs(v[d, i]) > largest) { largest = Math.Abs(v[d, i]); sign = v[d, i] < 0 ? -1 : 1; }
            for (int d = 0; d < m.Cols; d++) rows[i * m.Cols + d] = (float)(sign * v[d, i] / sigma[i]);
        }
        var mean = new float[m.Cols];
        for (int d = 0; d < m.Cols; d++) mean[d] = (float)Enumerable.Range(0, m.Rows).Average(r => m[r, d]);
        double total = sigma.Sum(s => s * s);
        return new Pca(Tensor.FromArray(mean, m.Cols), Tensor.FromArray(rows, components, m.Cols),
            [.. sigma.Take(components).Select(s => s * s / (m.Rows - 1))], [.. sigma.Take(components).Select(s => s * s / total)]);
    }

    /// <summary>Projects <paramref name="x"/> [N, …] onto the components: [N, k].</summary>
    /// <exception cref="ArgumentException">The feature count differs from the fitted data's.</exception>
    public Tensor Transform(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var flat = x.Reshape(x.Shape[0], -1);
        if (flat.Shape[1] != Mean.Shape[0]) throw new ArgumentException($"Pca: fitted on {Mean.Shape[0]} features, got {flat.Shape[1]}.");
        return (flat - Mean.Reshape(1, -1)).MatMul(Components.Transpose(0, 1));
    }
}
