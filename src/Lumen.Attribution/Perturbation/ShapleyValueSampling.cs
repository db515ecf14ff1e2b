using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Shapley value sampling: the Shapley value of each feature estimated by averaging its marginal contribution over
/// random orders in which the features are added to the baseline.
/// </summary>
/// <remarks>
/// φₖ ≈ (1/S) Σₛ [v(Pₛ,ₖ ∪ {k}) − v(Pₛ,ₖ)], where Pₛ,ₖ is the set of features before k in the s-th random order and
/// v(A) = f(x with the features outside A set to x′). Each order costs K forward passes (plus one for v(∅), shared).
/// The sum over features telescopes to f(x) − f(x′) in every order, so efficiency holds exactly whatever the sample
/// count; <see cref="Attribution.Delta"/> reports Σφ − (f(x) − f(x′)). Castro, Gómez, Tejada, "Polynomial
/// calculation of the Shapley value based on sampling" (Computers &amp; Operations Research, 2009),
/// https://doi.org/10.1016/j.cor.2008.04.004; Captum's ShapleyValueSampling.
/// </remarks>
/// <example><code>var svs = new ShapleyValueSampling(model, new() { Mask = FeatureMask.Grid(32), Samples = 50, Seed = 1 });</code></example>
public sealed class ShapleyValueSampling : PerturbationMethod
{
    private readonly ShapleyOptions options;

    /// <summary>Binds Shapley value sampling to <paramref name="model"/>.</summary>
    public ShapleyValueSampling(Module model, ShapleyOptions? options = null) : base(model)
    {
        this.options = options ?? new();
        if (this.options.Samples < 1) throw new ArgumentOutOfRangeException(nameof(options), $"ShapleyValueSampling: Samples must be at least 1, got {this.options.Samples}.");
    }

    /// <inheritdoc/>
    public override string Name => "shapley-value-sampling";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null) =>
        PerSampleIfNeeded(options.Mask, input, target, cancellation, progress, ExplainBatch);

    private Attribution ExplainBatch(Tensor input, Target target, CancellationToken cancellation, IProgress<double>? progress)
    {
        var game = new Coalitions(this, input, target, options.Mask, options.Baseline);
        int k = game.Features, samples = options.Samples;
        var rng = new Random(options.Seed);
        var orders = new int[samples][];
        for (int s = 0; s < samples; s++)
        {
            orders[s] = [.. Enumerable.Range(0, k)];
            rng.Shuffle(orders[s]);
        }
        // Coalition 0 of each sample is the empty one; then, order by order, the first j + 1 features of the order.
        int perSample = 1 + samples * k;
        var values = game.Values(perSample, (q, member) =>
        {
            if (q == 0) return;
            int s = (q - 1) / k, j = (q - 1) % k;
            for (int i = 0; i <= j; i++) member[orders[s][i]] = true;
        }, ChunkSize(input, options.BatchSize, options.MemoryBudgetBytes), cancellation, progress);
        var phi = new double[game.SampleCount * k];
        for (int b = 0; b < game.SampleCount; b++)
            for (int s = 0; s < samples; s++)
                for (int j = 0; j < k; j++)
                {
                    double before = j == 0 ? values[b * perSample] : values[b * perSample + 1 + s * k + j - 1];
                    phi[b * k + orders[s][j]] += (values[b * perSample + 1 + s * k + j] - before) / samples;
                }
        return game.Result(phi, Name);
    }
}
