using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// LIME: a weighted linear surrogate fitted to the model's scores on random coalitions of interpretable features
/// (superpixels of a <see cref="FeatureMask"/>), whose coefficients are the attribution of each feature.
/// </summary>
/// <remarks>
/// For coalitions zᵢ ∈ {0, 1}ᴷ drawn by the <see cref="LimeKernel"/>, yᵢ = f(x with the features where zᵢ = 0 set to
/// x′), and weights πᵢ, the surrogate g(z) = β₀ + βᵀz minimises Σ πᵢ (yᵢ − g(zᵢ))² + Ω(β) (<see cref="LimeSurrogate"/>:
/// ridge or Lasso, fitted in Lumen); each element of feature k gets βₖ. Ribeiro, Singh, Guestrin, "Why Should I Trust
/// You?" (KDD 2016), https://arxiv.org/abs/1602.04938; Captum's Lime.
/// </remarks>
/// <example><code>var lime = new Lime(model, new() { Mask = FeatureMask.Grid(32), Samples = 500, Surrogate = LimeSurrogate.Lasso(0.01) });</code></example>
public sealed class Lime : PerturbationMethod
{
    private readonly LimeOptions options;

    /// <summary>Binds LIME to <paramref name="model"/>.</summary>
    public Lime(Module model, LimeOptions? options = null) : this(model, options, "lime") { }

    /// <summary>LIME under another catalog name (KernelShap).</summary>
    internal Lime(Module model, LimeOptions? options, string name) : base(model)
    {
        this.options = options ?? new();
        if (this.options.Samples < 1) throw new ArgumentOutOfRangeException(nameof(options), $"{name}: Samples must be at least 1, got {this.options.Samples}.");
        Name = name;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null) =>
        PerSampleIfNeeded(options.Mask, input, target, cancellation, progress, ExplainBatch);

    private Attribution ExplainBatch(Tensor input, Target target, CancellationToken cancellation, IProgress<double>? progress)
    {
        var game = new Coalitions(this, input, target, options.Mask, options.Baseline);
        int k = game.Features;
        var rng = new Random(options.Seed);
        var z = new List<bool[]>();
        var weights = new List<double>();
        foreach (var (keep, weight) in options.Kernel.Anchors)
        {
            z.Add(Enumerable.Repeat(keep, k).ToArray());
            weights.Add(weight);
        }
        while (z.Count < options.Kernel.Anchors.Count() + options.Samples)
        {
            var coalition = new bool[k];
            weights.Add(options.Kernel.Sample(rng, coalition));
            z.Add(coalition);
        }
        var values = game.Values(z.Count, (q, member) => z[q].CopyTo(member, 0), ChunkSize(input, options.BatchSize, options.MemoryBudgetBytes), cancellation, progress);
        var phi = new double[game.SampleCount * k];
        var rows = z.ToArray();
        var w = weights.ToArray();
        for (int b = 0; b < game.SampleCount; b++)
        {
            var y = new double[rows.Length];
            for (int i = 0; i < y.Length; i++) y[i] = values[b * rows.Length + i];
            options.Surrogate.Fit(rows, y, w).CopyTo(phi, b * k);
        }
        return new Attribution(game.Broadcast(phi), target, Name);
    }
}
