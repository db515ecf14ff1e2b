namespace Lumen.Attribution.Perturbation;

/// <summary>
/// The interpretable model <see cref="Lime"/> fits to the coalition scores: a weighted linear model
/// g(z) = β₀ + Σₖ βₖ zₖ, with an L2 (ridge) or L1 (Lasso) penalty on β (never on β₀).
/// </summary>
public abstract record LimeSurrogate
{
    /// <summary>Weighted ridge regression: min Σ wᵢ (yᵢ − g(zᵢ))² + α‖β‖², solved in closed form (Cholesky).</summary>
    public static LimeSurrogate Ridge(double alpha = 1.0) => alpha >= 0 ? new RidgeSurrogate(alpha)
        : throw new ArgumentOutOfRangeException(nameof(alpha), $"LimeSurrogate.Ridge: alpha must be non-negative, got {alpha}.");

    /// <summary>Weighted Lasso: min (1/2W) Σ wᵢ (yᵢ − g(zᵢ))² + α‖β‖₁ (W = Σ wᵢ), by cyclic coordinate descent (Friedman,
    /// Hastie, Tibshirani, "Regularization Paths for Generalized Linear Models via Coordinate Descent", 2010).</summary>
    public static LimeSurrogate Lasso(double alpha = 0.01, int maxIterations = 1000) => alpha >= 0 && maxIterations >= 1 ? new LassoSurrogate(alpha, maxIterations)
        : throw new ArgumentOutOfRangeException(nameof(alpha), $"LimeSurrogate.Lasso: alpha must be non-negative and iterations positive, got {alpha}, {maxIterations}.");

    /// <summary>Weighted least squares (KernelShap's fit): ridge with a vanishing penalty that only keeps an
    /// under-determined system solvable.</summary>
    public static LimeSurrogate LeastSquares { get; } = new RidgeSurrogate(1e-9);

    /// <summary>The coefficients β (without the intercept) for rows <paramref name="z"/> [n][K], targets
    /// <paramref name="y"/> and weights <paramref name="w"/>.</summary>
    internal double[] Fit(bool[][] z, double[] y, double[] w)
    {
        int n = y.Length, k = z.Length == 0 ? 0 : z[0].Length;
        // Centre by the weighted means, which removes the unpenalised intercept.
        double total = w.Sum(), yMean = 0;
        var zMean = new double[k];
        for (int i = 0; i < n; i++)
        {
            yMean += w[i] * y[i];
            for (int j = 0; j < k; j++) if (z[i][j]) zMean[j] += w[i];
        }
        yMean /= total;
        for (int j = 0; j < k; j++) zMean[j] /= total;
        var x = new double[n, k];
        var yc = new double[n];
        for (int i = 0; i < n; i++)
        {
            yc[i] = y[i] - yMean;
            for (int j = 0; j < k; j++) x[i, j] = (z[i][j] ? 1 : 0) - zMean[j];
        }
        return Solve(x, yc, w, total);
    }

    private protected abstract double[] Solve(double[,] x, double[] y, double[] w, double totalWeight);

    private sealed record RidgeSurrogate(double Alpha) : LimeSurrogate
    {
        private protected override double[] Solve(double[,] x, double[] y, double[] w, double totalWeight)
        {
            int n = y.Length, k = x.GetLength(1);
            var a = new double[k, k];
            var b = new double[k];
            for (int i = 0; i < n; i++)
                for (int p = 0; p < k; p++)
                {
                    double wx = w[i] * x[i, p];
                    b[p] += wx * y[i];
                    for (int q = 0; q <= p; q++) a[p, q] += wx * x[i, q];
                }
            double scale = 0;
            for (int p = 0; p < k; p++) scale = Math.Max(scale, a[p, p]);
            for (int p = 0; p < k; p++) a[p, p] += Alpha + 1e-12 * scale; // keeps a rank-deficient system solvable
            return Cholesky(a, b);
        }

        /// <summary>Solves A β = b for symmetric positive definite A (lower triangle given).</summary>
        private static double[] Cholesky(double[,] a, double[] b)
        {
            int k = b.Length;
            var l = new double[k, k];
            for (int p = 0; p < k; p++)
                for (int q = 0; q <= p; q++)
                {
                    double sum = a[p, q];
                    for (int r = 0; r < q; r++) sum -= l[p, r] * l[q, r];
                    l[p, q] = p == q ? Math.Sqrt(Math.Max(sum, double.Epsilon)) : sum / l[q, q];
                }
            var y = new double[k];
            for (int p = 0; p < k; p++)
            {
                double sum = b[p];
                for (int r = 0; r < p; r++) sum -= l[p, r] * y[r];
                y[p] = sum / l[p, p];
            }
            var beta = new double[k];
            for (int p = k - 1; p >= 0; p--)
            {
                double sum = y[p];
                for (int r = p + 1; r < k; r++) sum -= l[r, p] * beta[r];
                beta[p] = sum / l[p, p];
            }
            return beta;
        }

        public override string ToString() => $"ridge α={Alpha}";
    }

    private sealed record LassoSurrogate(double Alpha, int MaxIterations) : LimeSurrogate
    {
        private protected override double[] Solve(double[,] x, double[] y, double[] w, double totalWeight)
        {
            int n = y.Length, k = x.GetLength(1);
            var beta = new double[k];
            var residual = (double[])y.Clone();
            var norm = new double[k];
            for (int j = 0; j < k; j++)
                for (int i = 0; i < n; i++) norm[j] += w[i] * x[i, j] * x[i, j] / totalWeight;
            for (int iteration = 0; iteration < MaxIterations; iteration++)
            {
                double largest = 0;
                for (int j = 0; j < k; j++)
                {
                    if (norm[j] == 0) continue;
                    double rho = 0;
                    for (int i = 0; i < n; i++) rho += w[i] * x[i, j] * residual[i] / totalWeight;
                    rho += norm[j] * beta[j];
                    double next = Math.Sign(rho) * Math.Max(Math.Abs(rho) - Alpha, 0) / norm[j];
                    double change = next - beta[j];
                    if (change == 0) continue;
                    for (int i = 0; i < n; i++) residual[i] -= change * x[i, j];
                    beta[j] = next;
                    largest = Math.Max(largest, Math.Abs(change));
                }
                if (largest < 1e-10) break;
            }
            return beta;
        }

        public override string ToString() => $"lasso α={Alpha}";
    }
}
