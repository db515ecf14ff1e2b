namespace Lumen.Attribution.Common;

/// <summary>
/// Non-uniform quadrature nodes for a path integral ∫₀¹ g(α) dα whose antiderivative F is known on a uniform pilot
/// grid (for Integrated Gradients, g = ∇f·γ′ and F = f∘γ, read by forward passes alone).
/// </summary>
/// <remarks>
/// Each pilot cell [j/P, (j+1)/P] gets the mass |F((j+1)/P) − F(j/P)| + λ·M/P, with M the total variation on the
/// pilot grid and λ = <see cref="Floor"/> (so flat stretches keep a share of nodes); the n cells of the result hold
/// equal mass (the inverse of the piecewise-linear cumulative mass), and each gets its midpoint as node with its
/// width as weight. Steps thus crowd where the score changes fast, where a uniform rule's error concentrates.
/// </remarks>
public static class AdaptiveSteps
{
    /// <summary>The share λ of the mass spread uniformly over the path.</summary>
    public const double Floor = 0.25;

    /// <summary>Nodes (ascending) and weights (Σ w = 1) of <paramref name="steps"/> midpoint cells placed by the
    /// pilot values <paramref name="pilot"/> = F(j/P), j = 0…P.</summary>
    public static (double[] Alphas, double[] Weights) Place(ReadOnlySpan<float> pilot, int steps)
    {
        if (pilot.Length < 2) throw new ArgumentException($"AdaptiveSteps: needs at least two pilot values, got {pilot.Length}.", nameof(pilot));
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        int cells = pilot.Length - 1;
        var mass = new double[cells];
        double variation = 0;
        for (int j = 0; j < cells; j++) variation += mass[j] = Math.Abs((double)pilot[j + 1] - pilot[j]);
        if (!double.IsFinite(variation)) throw new ArgumentException("AdaptiveSteps: the pilot values are not finite.", nameof(pilot));
        double floor = variation > 0 ? Floor * variation / cells : 1;
        double total = 0;
        for (int j = 0; j < cells; j++) total += mass[j] += floor;

        var edges = new double[steps + 1];
        edges[steps] = 1;
        int cell = 0;
        double below = 0; // mass of the pilot cells before `cell`
        for (int k = 1; k < steps; k++)
        {
            double wanted = total * k / steps;
            while (cell < cells - 1 && below + mass[cell] < wanted) below += mass[cell++];
            double within = Math.Clamp((wanted - below) / mass[cell], 0, 1);
            edges[k] = (cell + within) / cells;
        }
        var alphas = new double[steps];
        var weights = new double[steps];
        for (int k = 0; k < steps; k++)
        {
            alphas[k] = 0.5 * (edges[k] + edges[k + 1]);
            weights[k] = edges[k + 1] - edges[k];
        }
        return (alphas, weights);
    }

    /// <summary>The cell edges b₀ = 0 &lt; … &lt; bₙ = 1 of a rule: bₖ = Σ_{j&lt;k} wⱼ (node k lies in [bₖ, bₖ₊₁] for
    /// the Riemann, trapezoid, Gauss–Legendre and adaptive rules).</summary>
    public static double[] Edges(ReadOnlySpan<double> weights)
    {
        var edges = new double[weights.Length + 1];
        for (int k = 0; k < weights.Length; k++) edges[k + 1] = edges[k] + weights[k];
        edges[^1] = 1;
        return edges;
    }
}
