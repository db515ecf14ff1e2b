using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Exact Shapley values for a small number of features: the value of every coalition of features is computed once
/// (2ᴷ forward passes), and each feature gets its marginal contributions weighted by the Shapley kernel.
/// </summary>
/// <remarks>
/// φₖ = Σ_{A ⊆ N∖{k}} |A|! (K − |A| − 1)! / K! · [v(A ∪ {k}) − v(A)], v(A) = f(x with the features outside A set to
/// x′). Efficiency Σφ = f(x) − f(x′) holds exactly (<see cref="Attribution.Delta"/> reports the rounding). At most
/// <see cref="MaxFeatures"/> features; use <see cref="ShapleyValueSampling"/> or a coarser mask beyond. Shapley,
/// "A Value for n-Person Games" (1953); Captum's ShapleyValues.
/// </remarks>
/// <example><code>var shapley = new ShapleyValues(model, new() { Mask = FeatureMask.Grid(56) }); // 16 features, 65536 passes</code></example>
public sealed class ShapleyValues : PerturbationMethod
{
    /// <summary>The largest feature count accepted (2²⁰ forward passes).</summary>
    public const int MaxFeatures = 20;

    private readonly ShapleyOptions options;

    /// <summary>Binds exact Shapley values to <paramref name="model"/>.</summary>
    public ShapleyValues(Module model, ShapleyOptions? options = null) : base(model) => this.options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "shapley-values";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null) =>
        PerSampleIfNeeded(options.Mask, input, target, cancellation, progress, ExplainBatch);

    private Attribution ExplainBatch(Tensor input, Target target, CancellationToken cancellation, IProgress<double>? progress)
    {
        var game = new Coalitions(this, input, target, options.Mask, options.Baseline);
        int k = game.Features;
        if (k > MaxFeatures)
            throw new ArgumentException($"ShapleyValues: {k} features would need 2^{k} forward passes; the limit is {MaxFeatures} features. Use a coarser FeatureMask or ShapleyValueSampling.", nameof(input));
        int subsets = 1 << k;
        var values = game.Values(subsets, (subset, member) =>
        {
            for (int i = 0; i < k; i++) member[i] = (subset >> i & 1) != 0;
        }, ChunkSize(input, options.BatchSize, options.MemoryBudgetBytes), cancellation, progress);
        var weight = new double[k]; // |A|! (K − |A| − 1)! / K!
        for (int size = 0; size < k; size++) weight[size] = Math.Exp(LogFactorial(size) + LogFactorial(k - size - 1) - LogFactorial(k));
        var phi = new double[game.SampleCount * k];
        for (int b = 0; b < game.SampleCount; b++)
            for (int subset = 0; subset < subsets; subset++)
                for (int i = 0; i < k; i++)
                {
                    if ((subset >> i & 1) != 0) continue;
                    phi[b * k + i] += weight[System.Numerics.BitOperations.PopCount((uint)subset)] *
                        ((double)values[b * subsets + (subset | 1 << i)] - values[b * subsets + subset]);
                }
        return game.Result(phi, Name);
    }

    private static double LogFactorial(int n)
    {
        double sum = 0;
        for (int i = 2; i <= n; i++) sum += Math.Log(i);
        return sum;
    }
}
