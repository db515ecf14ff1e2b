namespace Lumen.Attribution.Common;

/// <summary>How a path integral ∫₀¹ f(α) dα is approximated by Σᵢ wᵢ f(αᵢ) (Integrated Gradients and friends).</summary>
public enum Quadrature
{
    /// <summary>Left Riemann sum: αᵢ = i/n, wᵢ = 1/n.</summary>
    RiemannLeft,
    /// <summary>Right Riemann sum: αᵢ = (i+1)/n, wᵢ = 1/n.</summary>
    RiemannRight,
    /// <summary>Midpoint rule: αᵢ = (i+½)/n, wᵢ = 1/n.</summary>
    RiemannMiddle,
    /// <summary>Trapezoid rule on n equally spaced points including both ends.</summary>
    RiemannTrapezoid,
    /// <summary>n-point Gauss–Legendre rule mapped to [0, 1] (exact for polynomials of degree 2n−1; Captum's default).</summary>
    GaussLegendre,
}

/// <summary>Nodes and weights of the <see cref="Quadrature"/> rules on [0, 1].</summary>
public static class QuadratureRule
{
    /// <summary>Returns (α, w) with Σ w = 1, for <paramref name="steps"/> ≥ 1 (≥ 2 for the trapezoid rule).</summary>
    public static (double[] Alphas, double[] Weights) Points(Quadrature rule, int steps)
    {
        if (steps < 1 || (rule == Quadrature.RiemannTrapezoid && steps < 2))
            throw new ArgumentOutOfRangeException(nameof(steps), $"Quadrature {rule}: needs at least {(rule == Quadrature.RiemannTrapezoid ? 2 : 1)} steps, got {steps}.");
        var alphas = new double[steps];
        var weights = new double[steps];
        switch (rule)
        {
            case Quadrature.RiemannLeft:
            case Quadrature.RiemannRight:
            case Quadrature.RiemannMiddle:
                double shift = rule == Quadrature.RiemannLeft ? 0 : rule == Quadrature.RiemannRight ? 1 : 0.5;
                for (int i = 0; i < steps; i++) { alphas[i] = (i + shift) / steps; weights[i] = 1.0 / steps; }
                break;
            case Quadrature.RiemannTrapezoid:
                for (int i = 0; i < steps; i++)
                {
                    alphas[i] = (double)i / (steps - 1);
                    weights[i] = (i == 0 || i == steps - 1 ? 0.5 : 1.0) / (steps - 1);
                }
                break;
            case Quadrature.GaussLegendre:
                var (x, w) = GaussLegendreNodes(steps);
                for (int i = 0; i < steps; i++) { alphas[i] = 0.5 * (x[i] + 1); weights[i] = 0.5 * w[i]; }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), $"Unknown quadrature rule {rule}.");
        }
        return (alphas, weights);
    }

    /// <summary>The cell edges b₀ = 0 &lt; … &lt; bₙ = 1 of a rule with weights <paramref name="weights"/>:
    /// bₖ = Σ_{j&lt;k} wⱼ. Node k lies in [bₖ, bₖ₊₁] for every <see cref="Quadrature"/> (for Gauss–Legendre by the
    /// Chebyshev–Markov–Stieltjes separation theorem).</summary>
    public static double[] Edges(ReadOnlySpan<double> weights)
    {
        var edges = new double[weights.Length + 1];
        for (int k = 0; k < weights.Length; k++) edges[k + 1] = edges[k] + weights[k];
        edges[^1] = 1;
        return edges;
    }

    /// <summary>Gauss–Legendre nodes (ascending) and weights on [−1, 1], by Newton's method on Pₙ.</summary>
    /// <remarks>Pₙ is evaluated by the three-term recurrence (k+1)Pₖ₊₁ = (2k+1)xPₖ − kPₖ₋₁; the weight of a root x is
    /// 2 / ((1 − x²) Pₙ′(x)²).</remarks>
    private static (double[] Nodes, double[] Weights) GaussLegendreNodes(int n)
    {
        var nodes = new double[n];
        var weights = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++)
        {
            double x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++)
            {
                double p0 = 1, p1 = x;
                for (int k = 1; k < n; k++) (p0, p1) = (p1, ((2 * k + 1) * x * p1 - k * p0) / (k + 1));
                derivative = n * (x * p1 - p0) / (x * x - 1);
                double dx = p1 / derivative;
                x -= dx;
                if (Math.Abs(dx) < 1e-15) break;
            }
            double weight = 2 / ((1 - x * x) * derivative * derivative);
            nodes[n - 1 - i] = x;
            nodes[i] = -x;
            weights[i] = weights[n - 1 - i] = weight;
        }
        return (nodes, weights);
    }
}
