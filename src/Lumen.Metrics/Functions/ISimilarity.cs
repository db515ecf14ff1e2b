using Lumen.Metrics.Common;

namespace Lumen.Metrics.Functions;

/// <summary>A similarity (or distance) of two attribution maps of equal length.</summary>
public interface ISimilarity
{
    /// <summary>Short name for reports.</summary>
    string Name { get; }

    /// <summary>The similarity of <paramref name="a"/> and <paramref name="b"/>.</summary>
    double Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b);
}

/// <summary>The similarities of the function library (Quantus <c>similarity_func</c>).</summary>
public static class Similarity
{
    /// <summary>Pearson correlation ρ = cov(a, b) / (σₐ σ_b).</summary>
    public static ISimilarity Pearson { get; } = new Function("pearson", (a, b) => Statistics.Pearson(a, b));

    /// <summary>Spearman rank correlation (Adebayo et al.'s choice for randomisation sanity checks).</summary>
    public static ISimilarity Spearman { get; } = new Function("spearman", (a, b) => Statistics.Spearman(a, b));

    /// <summary>Spearman rank correlation of |a| and |b| (sign-free, Adebayo et al. 2018).</summary>
    public static ISimilarity AbsoluteSpearman { get; } = new Function("abs-spearman", (a, b) => Statistics.Spearman([.. a.Select(Math.Abs)], [.. b.Select(Math.Abs)]));

    /// <summary>Cosine similarity a·b / (‖a‖ ‖b‖).</summary>
    public static ISimilarity Cosine { get; } = new Function("cosine", (a, b) =>
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return aa == 0 || bb == 0 ? double.NaN : ab / Math.Sqrt(aa * bb);
    });

    private sealed class Function(string name, Func<double[], double[], double> compute) : ISimilarity
    {
        public string Name => name;

        public double Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            if (a.Length != b.Length) throw new ArgumentException($"Similarity {name}: lengths {a.Length} and {b.Length} differ.");
            var x = new double[a.Length];
            var y = new double[b.Length];
            for (int i = 0; i < a.Length; i++) { x[i] = a[i]; y[i] = b[i]; }
            return compute(x, y);
        }

        public override string ToString() => name;
    }
}
