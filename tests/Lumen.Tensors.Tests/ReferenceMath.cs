namespace Lumen.Tensors.Tests;

/// <summary>Double-precision reference functions that .NET lacks.</summary>
public static class ReferenceMath
{
    /// <summary>erf in double: Maclaurin series for |x| ≤ 3 (error ~1e-13), the asymptotic erfc series beyond.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        double r;
        if (ax <= 3)
        {
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 200 && Math.Abs(term) > 1e-17; n++)
            {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double inv = 1 / (2 * ax * ax);
            double series = 1 - inv + 3 * inv * inv - 15 * inv * inv * inv + 105 * inv * inv * inv * inv;
            r = 1 - Math.Exp(-ax * ax) / (ax * Math.Sqrt(Math.PI)) * series;
        }
        return x < 0 ? -r : r;
    }
}
