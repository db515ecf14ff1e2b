namespace Lumen.Attribution.Perturbation;

/// <summary>
/// How <see cref="Lime"/> draws coalitions z ∈ {0, 1}ᴷ of features (1 = kept, 0 = set to the baseline) and weighs
/// them in the surrogate fit.
/// </summary>
public abstract record LimeKernel
{
    /// <summary>LIME's kernel: every feature kept with probability ½, weight π(z) = exp(−d(z)²/σ²) with d(z) the cosine
    /// distance between z and the all-ones vector, d = 1 − √(|z|/K) (Ribeiro et al. 2016; σ = 0.25 is LIME's image
    /// default).</summary>
    public static LimeKernel Exponential(double width = 0.25) => width > 0 ? new ExponentialKernel(width)
        : throw new ArgumentOutOfRangeException(nameof(width), $"LimeKernel.Exponential: the width must be positive, got {width}.");

    /// <summary>The Shapley kernel (Lundberg and Lee 2017): the coalition size s ∈ [1, K − 1] drawn with probability
    /// ∝ (K − 1)/(s(K − s)), then a uniform subset of that size, each weighted 1 (the kernel is in the sampling); the
    /// empty and the full coalition are added with a large weight, so that the fit nearly meets Σφ = f(x) − f(x′).</summary>
    public static LimeKernel Shapley { get; } = new ShapleyKernel();

    /// <summary>Fills <paramref name="z"/> with one coalition of <paramref name="z"/>.Length features and returns its weight.</summary>
    internal abstract double Sample(Random rng, bool[] z);

    /// <summary>Coalitions every fit includes (with their weights), before the sampled ones.</summary>
    internal virtual IEnumerable<(bool Keep, double Weight)> Anchors => [];

    private sealed record ExponentialKernel(double Width) : LimeKernel
    {
        internal override double Sample(Random rng, bool[] z)
        {
            int kept = 0;
            for (int k = 0; k < z.Length; k++) kept += (z[k] = rng.Next(2) == 1) ? 1 : 0;
            double distance = 1 - Math.Sqrt((double)kept / z.Length);
            return Math.Exp(-distance * distance / (Width * Width));
        }

        public override string ToString() => $"exponential σ={Width}";
    }

    private sealed record ShapleyKernel : LimeKernel
    {
        private const double AnchorWeight = 1e6;

        internal override IEnumerable<(bool Keep, double Weight)> Anchors => [(true, AnchorWeight), (false, AnchorWeight)];

        internal override double Sample(Random rng, bool[] z)
        {
            int k = z.Length;
            Array.Fill(z, false);
            if (k < 2) { Array.Fill(z, rng.Next(2) == 1); return 1; }
            double total = 0;
            for (int s = 1; s < k; s++) total += (k - 1.0) / (s * (k - s));
            double u = rng.NextDouble() * total;
            int size = k - 1;
            for (int s = 1; s < k; s++)
            {
                u -= (k - 1.0) / (s * (k - s));
                if (u <= 0) { size = s; break; }
            }
            var order = Enumerable.Range(0, k).ToArray();
            rng.Shuffle(order);
            for (int i = 0; i < size; i++) z[order[i]] = true;
            return 1;
        }

        public override string ToString() => "shapley";
    }
}
