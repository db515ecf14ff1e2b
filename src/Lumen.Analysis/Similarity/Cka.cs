using Lumen.Analysis.Common;
using Lumen.Tensors;

namespace Lumen.Analysis.Similarity;

/// <summary>
/// Centered kernel alignment (Kornblith et al. 2019, https://arxiv.org/abs/1905.00414): how similar two
/// representations of the same examples are, in [0, 1], invariant to orthogonal transforms and isotropic scaling.
/// </summary>
/// <remarks>
/// CKA(K, L) = HSIC(K, L) / √(HSIC(K, K)·HSIC(L, L)) with Gram matrices K = k(xᵢ, xⱼ), L = l(yᵢ, yⱼ).
/// Biased: HSIC = tr(KHLH)/(n−1)², H = I − 11ᵀ/n. Unbiased (Song et al. 2012), with K̃, L̃ the Gram matrices with
/// zeroed diagonals: HSIC₁ = [tr(K̃L̃) + 1ᵀK̃1·1ᵀL̃1/((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)).
/// Linear biased CKA is computed in feature space: ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) on column-centred X, Y.
/// </remarks>
/// <example><code>
/// double same = Cka.Compare(acts, acts);                                   // 1
/// double rbf  = Cka.Compare(a, b, new() { Kernel = CkaKernel.Rbf });
/// </code></example>
public static class Cka
{
    /// <summary>CKA between <paramref name="x"/> [N, …] and <paramref name="y"/> [N, …] (examples on axis 0, every
    /// other axis flattened into features).</summary>
    /// <exception cref="ArgumentException">Different example counts, too few examples, or a constant representation.</exception>
    public static double Compare(Tensor x, Tensor y, CkaOptions? options = null)
    {
        options ??= new CkaOptions();
        var (mx, my) = Examples(x, y, options);
        if (options.Kernel == CkaKernel.Linear && !options.Unbiased && (long)mx.Cols * my.Cols <= (long)mx.Rows * mx.Rows)
            return LinearFeatureSpace(mx, my);
        var k = KernelMatrix(mx, options);
        var l = KernelMatrix(my, options);
        return FromHsic(Hsic(k, l, options.Unbiased), Hsic(k, k, options.Unbiased), Hsic(l, l, options.Unbiased));
    }

    /// <summary>Linear biased CKA through the n × n Gram matrices (the naive twin of the feature-space formula).</summary>
    internal static double LinearThroughGram(Tensor x, Tensor y)
    {
        var (mx, my) = Examples(x, y, new CkaOptions());
        var k = mx.CenterColumns().Gram();
        var l = my.CenterColumns().Gram();
        return FromHsic(Hsic(k, l, false), Hsic(k, k, false), Hsic(l, l, false));
    }

    internal static (Matrix X, Matrix Y) Examples(Tensor x, Tensor y, CkaOptions options)
    {
        var mx = Matrix.FromExamples(x, "Cka");
        var my = Matrix.FromExamples(y, "Cka");
        if (mx.Rows != my.Rows) throw new ArgumentException($"Cka: x has {mx.Rows} examples but y has {my.Rows}; both must describe the same examples.");
        int needed = options.Unbiased ? 4 : 2;
        if (mx.Rows < needed) throw new ArgumentException($"Cka: {(options.Unbiased ? "the unbiased estimator" : "CKA")} needs at least {needed} examples, got {mx.Rows}.");
        return (mx, my);
    }

    internal static double FromHsic(double xy, double xx, double yy)
    {
        if (xx <= 0 || yy <= 0)
            throw new ArgumentException($"Cka: a representation is constant over the examples (HSIC(K, K) = {xx:G3}, HSIC(L, L) = {yy:G3}); CKA is undefined.");
        return xy / Math.Sqrt(xx * yy);
    }

    private static double LinearFeatureSpace(Matrix x, Matrix y)
    {
        var xc = x.CenterColumns();
        var yc = y.CenterColumns();
        double cross = yc.TransposeTimes(xc).SquaredNorm();
        double xx = Math.Sqrt(xc.TransposeTimes(xc).SquaredNorm()), yy = Math.Sqrt(yc.TransposeTimes(yc).SquaredNorm());
        return FromHsic(cross, xx * xx, yy * yy);
    }

    /// <summary>The Gram matrix of <paramref name="m"/>'s rows under the options' kernel.</summary>
    internal static Matrix KernelMatrix(Matrix m, CkaOptions options)
    {
        if (options.Kernel == CkaKernel.Linear) return m.Gram();
        int n = m.Rows;
        var gram = m.Gram();
        var squared = new Matrix(n, n);
        var distances = new List<double>(n * (n - 1) / 2);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double d2 = Math.Max(0, gram[i, i] + gram[j, j] - 2 * gram[i, j]);
                squared[i, j] = d2;
                if (j > i) distances.Add(Math.Sqrt(d2));
            }
        distances.Sort();
        double median = distances.Count % 2 == 1 ? distances[distances.Count / 2] : (distances[distances.Count / 2 - 1] + distances[distances.Count / 2]) / 2;
        double sigma = options.RbfSigmaFraction * median;
        if (!(sigma > 0)) throw new ArgumentException($"Cka: the RBF bandwidth is {sigma:G3} (median distance {median:G3} × {options.RbfSigmaFraction}); it must be positive.");
        for (int i = 0; i < squared.Data.Length; i++) squared.Data[i] = Math.Exp(-squared.Data[i] / (2 * sigma * sigma));
        return squared;
    }

    /// <summary>HSIC of two n × n Gram matrices (biased without the 1/(n−1)² factor, which cancels in CKA; or unbiased).</summary>
    internal static double Hsic(Matrix k, Matrix l, bool unbiased)
    {
        int n = k.Rows;
        if (!unbiased)
        {
            var kc = DoubleCenter(k);
            var lc = DoubleCenter(l);
            double s = 0;
            for (int i = 0; i < kc.Data.Length; i++) s += kc.Data[i] * lc.Data[i];
            return s;
        }
        double trace = 0, sumK = 0, sumL = 0, cross = 0;
        var rowK = new double[n];
        var rowL = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j) continue;
                double kij = k[i, j], lij = l[i, j];
                trace += kij * lij;
                sumK += kij;
                sumL += lij;
                rowK[i] += kij;
                rowL[i] += lij;
            }
        for (int i = 0; i < n; i++) cross += rowK[i] * rowL[i];
        return (trace + sumK * sumL / ((n - 1.0) * (n - 2.0)) - 2.0 / (n - 2.0) * cross) / (n * (n - 3.0));
    }

    /// <summary>HKH with H = I − 11ᵀ/n.</summary>
    private static Matrix DoubleCenter(Matrix k)
    {
        int n = k.Rows;
        var row = new double[n];
        double all = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) row[i] += k[i, j];
            all += row[i];
            row[i] /= n;
        }
        all /= (double)n * n;
        var result = new Matrix(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) result[i, j] = k[i, j] - row[i] - row[j] + all;
        return result;
    }
}
