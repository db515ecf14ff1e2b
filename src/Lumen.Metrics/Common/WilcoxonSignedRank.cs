namespace Lumen.Metrics.Common;

/// <summary>
/// The two-sided Wilcoxon signed-rank test of paired samples, as SciPy's <c>wilcoxon(x, y, zero_method="zsplit")</c>
/// computes it: the exact null distribution when there are at most 50 pairs and no zero or tied differences, else the
/// normal approximation with the tie correction and no continuity correction.
/// </summary>
/// <remarks>d = x − y ranked by |d| (average ranks for ties); zero differences split their ranks evenly between
/// R⁺ and R⁻. T = min(R⁺, R⁻); exact: p = min(1, 2 P(W ≤ T)) under the 2ⁿ equally likely sign patterns; normal:
/// z = (T − n(n+1)/4) / √(n(n+1)(2n+1)/24 − Σ(t³ − t)/48), p = 2 Φ(−|z|). Wilcoxon, "Individual comparisons by ranking
/// methods" (1945).</remarks>
internal static class WilcoxonSignedRank
{
    /// <summary>The p-value that <paramref name="x"/> and <paramref name="y"/> come from the same distribution; NaN
    /// when there are no pairs.</summary>
    public static double PValue(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Wilcoxon signed-rank test: {x.Count} and {y.Count} values are not paired.");
        int n = x.Count;
        if (n == 0) return double.NaN;
        var d = Enumerable.Range(0, n).Select(i => x[i] - y[i]).ToArray();
        var ranks = Statistics.Ranks([.. d.Select(Math.Abs)]);
        double plus = 0, minus = 0;
        for (int i = 0; i < n; i++)
        {
            if (d[i] > 0) plus += ranks[i];
            else if (d[i] < 0) minus += ranks[i];
            else { plus += ranks[i] / 2; minus += ranks[i] / 2; }
        }
        double t = Math.Min(plus, minus);
        var ties = d.Select(Math.Abs).GroupBy(v => v).Select(g => (double)g.Count()).ToArray();
        bool exact = n <= 50 && !d.Contains(0) && ties.All(c => c == 1);
        if (exact) return Math.Min(1, 2 * ExactCdf(n, (int)Math.Round(t)));
        double mean = n * (n + 1) / 4.0;
        double variance = n * (n + 1) * (2.0 * n + 1) / 24 - ties.Sum(c => c * c * c - c) / 48;
        if (variance <= 0) return 1;
        double z = (t - mean) / Math.Sqrt(variance);
        return Math.Min(1, Erfc(Math.Abs(z) / Math.Sqrt(2))); // 2 Φ(−|z|) = erfc(|z| / √2)
    }

    /// <summary>P(W ≤ w) for the signed-rank statistic of n pairs: counts of the sums of subsets of {1, …, n}.</summary>
    private static double ExactCdf(int n, int w)
    {
        int max = n * (n + 1) / 2;
        var counts = new double[max + 1];
        counts[0] = 1;
        for (int r = 1; r <= n; r++)
            for (int s = max; s >= r; s--) counts[s] += counts[s - r];
        double below = 0;
        for (int s = 0; s <= Math.Min(w, max); s++) below += counts[s];
        return below / Math.Pow(2, n);
    }

    /// <summary>The complementary error function, relative error below 1.2·10⁻⁷ (Numerical Recipes' Chebyshev fit).</summary>
    private static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
