namespace Lumen.Metrics.Common;

/// <summary>Small numerical helpers shared by the metrics (double precision throughout).</summary>
internal static class Statistics
{
    /// <summary>Pearson correlation; NaN when either side is constant.</summary>
    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int n = a.Count;
        if (n != b.Count) throw new ArgumentException($"Pearson: lengths {a.Count} and {b.Count} differ.");
        if (n < 2) return double.NaN;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
        ma /= n; mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>Spearman rank correlation (Pearson of average ranks, so ties are handled).</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b) => Pearson(Ranks(a), Ranks(b));

    /// <summary>Average ranks 1..n (ties share the mean of their ranks).</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var ranks = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && values[order[j + 1]] == values[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        return ranks;
    }

    /// <summary>Indices sorted by value, highest first; ties keep index order (deterministic).</summary>
    public static int[] Descending(IReadOnlyList<double> values) =>
        [.. Enumerable.Range(0, values.Count).OrderByDescending(i => values[i]).ThenBy(i => i)];

    /// <summary>Trapezoid area under y(x).</summary>
    public static double Trapezoid(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double area = 0;
        for (int i = 1; i < x.Count; i++) area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        return area;
    }

    /// <summary>Lp norm of a difference.</summary>
    public static double Norm(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double p = 2)
    {
        double sum = 0, max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs((double)a[i] - (b.IsEmpty ? 0 : b[i]));
            if (double.IsPositiveInfinity(p)) max = Math.Max(max, d);
            else sum += Math.Pow(d, p);
        }
        return double.IsPositiveInfinity(p) ? max : Math.Pow(sum, 1 / p);
    }

    /// <summary>A draw from N(0, σ²) by the Box–Muller transform: σ·√(−2 ln u₁)·cos(2πu₂), with u₁ = 1 − U and then
    /// u₂ = U drawn from <paramref name="rng"/> (so ln never sees 0).</summary>
    public static double Gaussian(Random rng, double sigma = 1)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Adds an independent N(0, σ²) draw (<see cref="Gaussian"/>) to every element of <paramref name="row"/>.</summary>
    public static void AddGaussian(Span<float> row, double sigma, Random rng)
    {
        for (int i = 0; i < row.Length; i++) row[i] += (float)Gaussian(rng, sigma);
    }

    /// <summary>The mean of the finite values (NaN and ±∞ are skipped); NaN when none is finite.</summary>
    public static double FiniteMean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? double.NaN : finite.Average();
    }

    /// <summary>Indices 0..n−1 in a seeded random order (Fisher–Yates).</summary>
    public static int[] Shuffled(int n, Random rng)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Index of the largest value (first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
