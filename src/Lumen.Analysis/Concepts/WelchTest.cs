namespace Lumen.Analysis.Concepts;

/// <summary>Welch's two-sample t-test (unequal variances), two-sided.</summary>
/// <remarks>t = (x̄ − ȳ)/√(s²ₓ/n + s²ᵧ/m), ν = (s²ₓ/n + s²ᵧ/m)² / ((s²ₓ/n)²/(n−1) + (s²ᵧ/m)²/(m−1)),
/// p = I_{ν/(ν+t²)}(ν/2, ½) with I the regularised incomplete beta function (continued fraction, modified Lentz).</remarks>
public static class WelchTest
{
    /// <summary>(t, degrees of freedom, two-sided p) for samples <paramref name="x"/> and <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentException">A sample has fewer than two values.</exception>
    public static (double T, double DegreesOfFreedom, double P) Run(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count < 2 || y.Count < 2) throw new ArgumentException($"WelchTest: each sample needs at least 2 values, got {x.Count} and {y.Count}.");
        double mx = x.Average(), my = y.Average();
        double vx = x.Sum(v => (v - mx) * (v - mx)) / (x.Count - 1) / x.Count, vy = y.Sum(v => (v - my) * (v - my)) / (y.Count - 1) / y.Count;
        if (vx + vy == 0) return (mx == my ? 0 : double.PositiveInfinity * Math.Sign(mx - my), x.Count + y.Count - 2, mx == my ? 1 : 0);
        double t = (mx - my) / Math.Sqrt(vx + vy);
        double df = (vx + vy) * (vx + vy) / (vx * vx / (x.Count - 1) + vy * vy / (y.Count - 1));
        return (t, df, RegularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t)));
    }

    /// <summary>I_x(a, b).</summary>
    internal static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2) ? front * ContinuedFraction(a, b, x) / a : 1 - front * ContinuedFraction(b, a, 1 - x) / b;
    }

    private static double ContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m <= 300; m++)
        {
            for (int half = 0; half < 2; half++)
            {
                double numerator = half == 0
                    ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                    : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
                d = 1 + numerator * d;
                d = 1 / (Math.Abs(d) < tiny ? tiny : d);
                c = 1 + numerator / c;
                if (Math.Abs(c) < tiny) c = tiny;
                h *= d * c;
                if (half == 1 && Math.Abs(d * c - 1) < 1e-15) return h;
            }
        }
        return h;
    }

    /// <summary>ln Γ(z) by the Lanczos approximation (g = 7, n = 9).</summary>
    private static double LogGamma(double z)
    {
        double[] coefficients = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (z < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * z))) - LogGamma(1 - z);
        z -= 1;
        double sum = coefficients[0], t = z + 7.5;
        for (int i = 1; i < 9; i++) sum += coefficients[i] / (z + i);
        return 0.5 * Math.Log(2 * Math.PI) + (z + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
