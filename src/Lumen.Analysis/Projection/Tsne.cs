using Lumen.Analysis.Common;
using Lumen.Tensors;

namespace Lumen.Analysis.Projection;

/// <summary>
/// t-distributed stochastic neighbour embedding (van der Maaten &amp; Hinton 2008, "Visualizing Data using t-SNE",
/// JMLR 9, https://jmlr.org/papers/v9/vandermaaten08a.html), exact O(N²) form: a low-dimensional map of examples
/// that keeps each one's neighbours, for scatter plots of a layer's representation (N up to a few thousand).
/// </summary>
/// <remarks>
/// p_{j|i} = exp(−β_i‖x_i − x_j‖²) / Σ_{k≠i} exp(−β_i‖x_i − x_k‖²), with β_i found by bisection so that the entropy
/// H(P_i) = −Σ_j p_{j|i} ln p_{j|i} equals ln(perplexity) (to 1e-5); p_ij = (p_{j|i} + p_{i|j}) / 2N.
/// q_ij = (1 + ‖y_i − y_j‖²)⁻¹ / Σ_{k≠l}(1 + ‖y_k − y_l‖²)⁻¹, and gradient descent on KL(P‖Q) with
/// ∂C/∂y_i = 4 Σ_j (α·p_ij − q_ij)(y_i − y_j)(1 + ‖y_i − y_j‖²)⁻¹, early exaggeration α for the first iterations,
/// momentum and the per-coordinate gains of the reference implementation (+0.2 when the gradient changes sign, ×0.8
/// otherwise, at least 0.01). The start is N(0, 10⁻⁴) from the seed; the map is re-centred every iteration. All sums run
/// in a fixed order, so the same seed gives the same map at any thread count.
/// </remarks>
/// <example><code>
/// var tsne = Tsne.Fit(activations.Flatten(1), new() { Perplexity = 20 });   // [N, D]
/// var xy = tsne.Embedding;                                                   // [N, 2] for a scatter plot
/// </code></example>
public sealed class Tsne
{
    private Tsne(Tensor embedding, double[] precisions, double kl)
    {
        Embedding = embedding;
        Precisions = precisions;
        KlDivergence = kl;
    }

    /// <summary>The map, [N, components].</summary>
    public Tensor Embedding { get; }

    /// <summary>β_i = 1/(2σ_i²) of each example's Gaussian over its squared distances.</summary>
    public IReadOnlyList<double> Precisions { get; }

    /// <summary>KL(P‖Q) of the final map (without exaggeration).</summary>
    public double KlDivergence { get; }

    /// <summary>Embeds <paramref name="x"/> [N, …] (flattened to [N, D]).</summary>
    /// <exception cref="ArgumentException">Fewer than 3 examples, a perplexity not in (1, N), or invalid options.</exception>
    public static Tsne Fit(Tensor x, TsneOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new TsneOptions();
        var m = Matrix.FromExamples(x, "Tsne");
        int n = m.Rows, k = options.Components;
        if (n < 3) throw new ArgumentException($"Tsne: needs at least 3 examples, got {n}.");
        if (!(options.Perplexity > 1 && options.Perplexity < n))
            throw new ArgumentException($"Tsne: the perplexity must be in (1, {n}) for {n} examples, got {options.Perplexity}.", nameof(options));
        if (k < 1 || options.Iterations < 0 || options.LearningRate is <= 0 or double.NaN || !(options.EarlyExaggeration >= 1) || options.ExaggerationIterations < 0)
            throw new ArgumentException($"Tsne: components ({k}) must be ≥ 1, iterations ({options.Iterations}) ≥ 0, learning rate ({options.LearningRate}) > 0 and exaggeration ({options.EarlyExaggeration}) ≥ 1.", nameof(options));
        double rate = options.LearningRate ?? Math.Max(n / options.EarlyExaggeration / 4, 50);
        var distances = SquaredDistances(m);
        var (p, precisions) = JointProbabilities(distances, n, options.Perplexity);

        var rng = new Random(options.Seed);
        var y = new double[n * k];
        for (int i = 0; i < y.Length; i++) y[i] = 1e-2 * Gaussian(rng);
        var update = new double[n * k];
        var gains = Enumerable.Repeat(1.0, n * k).ToArray();
        var gradient = new double[n * k];
        var kernel = new double[n * n];
        for (int iteration = 0; iteration < options.Iterations; iteration++)
        {
            cancellation.ThrowIfCancellationRequested();
            bool early = iteration < options.ExaggerationIterations;
            Gradient(p, y, n, k, early ? options.EarlyExaggeration : 1, kernel, gradient);
            double momentum = early ? 0.5 : 0.8;
            for (int i = 0; i < y.Length; i++)
            {
                gains[i] = Math.Sign(gradient[i]) != Math.Sign(update[i]) ? gains[i] + 0.2 : Math.Max(gains[i] * 0.8, 0.01);
                update[i] = momentum * update[i] - rate * gains[i] * gradient[i];
                y[i] += update[i];
            }
            for (int d = 0; d < k; d++)
            {
                double mean = 0;
                for (int i = 0; i < n; i++) mean += y[i * k + d];
                mean /= n;
                for (int i = 0; i < n; i++) y[i * k + d] -= mean;
            }
        }
        double z = Gradient(p, y, n, k, 1, kernel, gradient), kl = 0;
        for (int i = 0; i < n * n; i++)
            if (p[i] > 0 && i / n != i % n) kl += p[i] * Math.Log(p[i] / Math.Max(kernel[i] / z, 1e-300));
        return new Tsne(Tensor.FromArray([.. y.Select(v => (float)v)], n, k), precisions, kl);
    }

    /// <summary>The conditional distribution P_i of example <paramref name="i"/> for precision β over the squared
    /// distances of its row (p_{i|i} = 0), and its entropy in nats.</summary>
    internal static double Row(ReadOnlySpan<double> row, int i, double beta, Span<double> p)
    {
        double min = double.PositiveInfinity;
        for (int j = 0; j < row.Length; j++) if (j != i && row[j] < min) min = row[j];
        double sum = 0, weighted = 0;
        for (int j = 0; j < row.Length; j++)
        {
            p[j] = j == i ? 0 : Math.Exp(-beta * (row[j] - min));   // shifted by the nearest distance for stability
            sum += p[j];
            weighted += p[j] * (row[j] - min);
        }
        for (int j = 0; j < row.Length; j++) p[j] /= sum;
        return Math.Log(sum) + beta * weighted / sum;
    }

    private static double[] SquaredDistances(Matrix m)
    {
        int n = m.Rows, d = m.Cols;
        var result = new double[n * n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Parallelism.MaxDegree }, i =>
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int c = 0; c < d; c++) { double diff = m.Data[i * d + c] - m.Data[j * d + c]; s += diff * diff; }
                result[i * n + j] = s;
            }
        });
        return result;
    }

    /// <summary>Symmetrised P and each row's precision, by bisection on β until |H(P_i) − ln perplexity| &lt; 1e-5.</summary>
    private static (double[] P, double[] Precisions) JointProbabilities(double[] distances, int n, double perplexity)
    {
        var conditional = new double[n * n];
        var precisions = new double[n];
        double target = Math.Log(perplexity);
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Parallelism.MaxDegree }, i =>
        {
            var row = distances.AsSpan(i * n, n);
            var p = conditional.AsSpan(i * n, n);
            double beta = 1, low = 0, high = double.PositiveInfinity;
            for (int step = 0; step < 200; step++)
            {
                double entropy = Row(row, i, beta, p);
                if (Math.Abs(entropy - target) < 1e-5) break;
                if (entropy > target) { low = beta; beta = double.IsPositiveInfinity(high) ? beta * 2 : (beta + high) / 2; }
                else { high = beta; beta = (beta + low) / 2; }
            }
            precisions[i] = beta;
        });
        var joint = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                joint[i * n + j] = Math.Max((conditional[i * n + j] + conditional[j * n + i]) / (2.0 * n), i == j ? 0 : 1e-12);
        return (joint, precisions);
    }

    /// <summary>Fills <paramref name="gradient"/> with ∂KL/∂y (P scaled by <paramref name="exaggeration"/>) and
    /// <paramref name="kernel"/> with (1 + ‖y_i − y_j‖²)⁻¹; returns Z = Σ_{i≠j} kernel.</summary>
    private static double Gradient(double[] p, double[] y, int n, int k, double exaggeration, double[] kernel, double[] gradient)
    {
        var rowSums = new double[n];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism.MaxDegree };
        Parallel.For(0, n, options, i =>
        {
            double s = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) { kernel[i * n + j] = 0; continue; }
                double d = 0;
                for (int c = 0; c < k; c++) { double diff = y[i * k + c] - y[j * k + c]; d += diff * diff; }
                kernel[i * n + j] = 1 / (1 + d);
                s += kernel[i * n + j];
            }
            rowSums[i] = s;
        });
        double z = rowSums.Sum();
        Parallel.For(0, n, options, i =>
        {
            Span<double> g = stackalloc double[k];
            g.Clear();
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double w = (exaggeration * p[i * n + j] - kernel[i * n + j] / z) * kernel[i * n + j];
                for (int c = 0; c < k; c++) g[c] += w * (y[i * k + c] - y[j * k + c]);
            }
            for (int c = 0; c < k; c++) gradient[i * k + c] = 4 * g[c];
        });
        return z;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
