using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>Options of <see cref="DeepLiftShap"/>.</summary>
public sealed record DeepLiftShapOptions
{
    /// <summary>The reference distribution: DeepLift runs once against each and the contributions are averaged.
    /// Default: zero and four uniform-noise references on [−1, 1] (fixed seeds).</summary>
    public IReadOnlyList<Baseline> Baselines { get; init; } = Baseline.Distribution();
}

/// <summary>
/// DeepLiftShap: DeepLift contributions averaged over a distribution of references, approximating SHAP values
/// under feature independence.
/// </summary>
/// <remarks>φᵢ(x) = (1/K) Σₖ Cᵢ(x; x′ₖ), so Σᵢ φᵢ = t(f(x)) − (1/K) Σₖ t(f(x′ₖ)); <see cref="Attribution.Delta"/>
/// is the mean of the per-reference completeness errors. Lundberg &amp; Lee, "A Unified Approach to Interpreting
/// Model Predictions" (NeurIPS 2017), https://arxiv.org/abs/1705.07874</remarks>
/// <example><code>var shap = new DeepLiftShap(model, new() { Baselines = [Baseline.Zero, Baseline.Blurred(10)] });</code></example>
public sealed class DeepLiftShap : IAttributionMethod
{
    private readonly Module model;
    private readonly DeepLiftShapOptions options;

    /// <summary>Binds DeepLiftShap to <paramref name="model"/>.</summary>
    public DeepLiftShap(Module model, DeepLiftShapOptions? options = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.options = options ?? new();
        if (this.options.Baselines.Count == 0) throw new ArgumentException("DeepLiftShap: at least one baseline is needed.", nameof(options));
    }

    /// <inheritdoc/>
    public string Name => "deep-lift-shap";

    /// <inheritdoc/>
    public Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        Tensor? sum = null, deltas = null;
        int count = options.Baselines.Count;
        for (int k = 0; k < count; k++)
        {
            var (map, delta) = DeepLift.Explain(model, input, options.Baselines[k].For(input), target, multiplyByInputs: true, cancellation);
            sum = sum is null ? map : sum + map;
            deltas = deltas is null ? delta! : deltas + delta!;
            progress?.Report((k + 1) / (double)count);
        }
        return new Attribution(sum! / count, target, Name, deltas! / count);
    }
}
