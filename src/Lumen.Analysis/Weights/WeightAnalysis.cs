using Lumen.Analysis.Common;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Analysis.Weights;

/// <summary>
/// Looks at a model's weights directly: per-parameter statistics, the singular value spectrum of each weight
/// matrix, and the first convolution's filters (which act on pixels, so they can be drawn as images).
/// </summary>
/// <remarks>A weight [O, I, …] is read as the O × (I·…) matrix W. Its spectrum σ₁ ≥ σ₂ ≥ … gives the stable rank
/// ‖W‖²_F / σ₁² and the effective rank exp(H(p)), pᵢ = σᵢ/Σσ (Roy &amp; Vetterli 2007); see Martin &amp; Mahoney 2021
/// (https://arxiv.org/abs/1810.01075) on reading trained networks' spectra.</remarks>
/// <example><code>
/// foreach (var s in WeightAnalysis.Statistics(model)) Console.WriteLine($"{s.Name} {s.StandardDeviation:F3}");
/// var filters = WeightAnalysis.FirstLayerFilters(model);    // [O, 3, k, k]
/// </code></example>
public static class WeightAnalysis
{
    /// <summary>Statistics of every parameter, in registration order.</summary>
    public static IReadOnlyList<ParameterStatistics> Statistics(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new List<ParameterStatistics>();
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var v = parameter.Value.AsReadOnlySpan();
            if (v.Length == 0) continue;
            double sum = 0, sq = 0, min = double.PositiveInfinity, max = double.NegativeInfinity, largest = 0;
            foreach (var x in v)
            {
                sum += x;
                sq += (double)x * x;
                min = Math.Min(min, x);
                max = Math.Max(max, x);
                largest = Math.Max(largest, Math.Abs(x));
            }
            double mean = sum / v.Length;
            int nearZero = 0;
            foreach (var x in v) if (Math.Abs(x) < 1e-3 * largest) nearZero++;
            result.Add(new ParameterStatistics(name, parameter.Shape.ToArray(), v.Length, mean, Math.Sqrt(Math.Max(0, sq / v.Length - mean * mean)), min, max, Math.Sqrt(sq), (double)nearZero / v.Length));
        }
        return result;
    }

    /// <summary>The singular values of <paramref name="weight"/> read as an O × (I·…) matrix, descending.</summary>
    /// <exception cref="ArgumentException">The weight has rank below 2.</exception>
    public static double[] SingularValues(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank < 2) throw new ArgumentException($"WeightAnalysis: a weight matrix needs rank ≥ 2, got {weight.Shape}.");
        var m = Matrix.FromExamples(weight, "WeightAnalysis");
        var gram = m.Rows <= m.Cols ? m.Gram() : m.TransposeTimes(m);
        return [.. gram.SymmetricEigen().Values.Select(v => Math.Sqrt(Math.Max(v, 0)))];
    }

    /// <summary>‖W‖²_F / σ₁²: how many directions carry the weight's energy.</summary>
    public static double StableRank(IReadOnlyList<double> singularValues) =>
        singularValues.Count == 0 || singularValues[0] == 0 ? 0 : singularValues.Sum(s => s * s) / (singularValues[0] * singularValues[0]);

    /// <summary>exp of the entropy of the normalised singular values (Roy &amp; Vetterli 2007).</summary>
    public static double EffectiveRank(IReadOnlyList<double> singularValues)
    {
        double total = singularValues.Sum();
        if (total == 0) return 0;
        return Math.Exp(-singularValues.Where(s => s > 0).Sum(s => s / total * Math.Log(s / total)));
    }

    /// <summary>The weight of the first convolution that reads the input image: the first rank-4 parameter with
    /// 1 or 3 input channels, [O, C, kh, kw], with its name.</summary>
    /// <exception cref="InvalidOperationException">The model has no such parameter.</exception>
    public static (string Name, Tensor Weight) FirstLayerFilters(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (name, parameter) in model.NamedParameters())
            if (parameter.Value.Rank == 4 && parameter.Shape[1] is 1 or 3 && parameter.Shape[2] > 1) return (name, parameter.Value);
        throw new InvalidOperationException($"WeightAnalysis: {model.GetType().Name} has no convolution weight [O, 1 or 3, kh, kw] reading the image.");
    }
}
