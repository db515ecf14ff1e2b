using Lumen.Analysis.Common;
using Lumen.Tensors;

namespace Lumen.Analysis.Similarity;

/// <summary>
/// Representational similarity analysis (Kriegeskorte, Mur &amp; Bandettini 2008,
/// https://doi.org/10.3389/neuro.06.004.2008): two representations are similar when they arrange the same examples
/// alike — compared through their representational dissimilarity matrices (RDMs).
/// </summary>
/// <remarks>RDMᵢⱼ = d(xᵢ, xⱼ) (<see cref="RdmDistance"/>); RSA(X, Y) = Spearman ρ between the strictly upper
/// triangles of RDM(X) and RDM(Y), ties given their mean rank.</remarks>
/// <example><code>double r = Rsa.Compare(layer3, layer4); var rdm = Rsa.DissimilarityMatrix(layer3);</code></example>
public static class Rsa
{
    /// <summary>Spearman correlation of the RDMs of <paramref name="x"/> [N, …] and <paramref name="y"/> [N, …].</summary>
    /// <exception cref="ArgumentException">Different example counts, fewer than 3 examples, or an RDM with no spread.</exception>
    public static double Compare(Tensor x, Tensor y, RdmDistance distance = RdmDistance.Correlation)
    {
        var (mx, my) = Svcca.Pair(x, y, "Rsa");
        if (mx.Rows < 3) throw new ArgumentException($"Rsa: needs at least 3 examples, got {mx.Rows}.");
        return Spearman(UpperTriangle(Rdm(mx, distance)), UpperTriangle(Rdm(my, distance)));
    }

    /// <summary>The N × N representational dissimilarity matrix of <paramref name="x"/> [N, …].</summary>
    public static Tensor DissimilarityMatrix(Tensor x, RdmDistance distance = RdmDistance.Correlation)
    {
        var rdm = Rdm(Matrix.FromExamples(x, "Rsa"), distance);
        return Tensor.FromArray([.. rdm.Data.Select(v => (float)v)], rdm.Rows, rdm.Cols);
    }

    private static Matrix Rdm(Matrix m, RdmDistance distance)
    {
        int n = m.Rows, d = m.Cols;
        var rows = new Matrix(n, d, (double[])m.Data.Clone());
        if (distance == RdmDistance.Correlation)
            for (int i = 0; i < n; i++)
            {
                var row = rows.Data.AsSpan(i * d, d);
                double mean = 0, norm = 0;
                foreach (var v in row) mean += v;
                mean /= d;
                foreach (ref var v in row) { v -= mean; norm += v * v; }
                if (norm == 0) throw new ArgumentException($"Rsa: example {i} has a constant feature vector; its correlation distance is undefined.");
                norm = Math.Sqrt(norm);
                foreach (ref var v in row) v /= norm;
            }
        var gram = rows.Gram();
        var rdm = new Matrix(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                rdm[i, j] = i == j ? 0 : distance == RdmDistance.Correlation ? 1 - gram[i, j] : Math.Sqrt(Math.Max(0, gram[i, i] + gram[j, j] - 2 * gram[i, j]));
        return rdm;
    }

    private static double[] UpperTriangle(Matrix rdm)
    {
        var values = new List<double>();
        for (int i = 0; i < rdm.Rows; i++)
            for (int j = i + 1; j < rdm.Cols; j++) values.Add(rdm[i, j]);
        return [.. values];
    }

    /// <summary>Spearman's ρ: the Pearson correlation of the ranks (ties share their mean rank).</summary>
    internal static double Spearman(double[] a, double[] b)
    {
        var ra = Ranks(a);
        var rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        if (saa == 0 || sbb == 0) throw new ArgumentException("Rsa: an RDM has all dissimilarities equal; the rank correlation is undefined.");
        return sab / Math.Sqrt(saa * sbb);
    }

    private static double[] Ranks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}
