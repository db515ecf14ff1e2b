using Lumen.Attribution;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics;

/// <summary>What a metric evaluates: a model, a batch of inputs, their attributions for a target, and, for the
/// metrics that need them, a ground-truth mask and a way to re-explain.</summary>
/// <param name="Model">The explained model.</param>
/// <param name="Input">The inputs [B, …].</param>
/// <param name="Attribution">The attribution maps, shaped like <paramref name="Input"/>; a map with size 1 along the
/// channels (a CAM [B, 1, H, W]) applies to every channel.</param>
/// <param name="Target">What was explained (one score per sample).</param>
/// <example><code>var input = new MetricInput(model, x, ig.Explain(x, target).Map, target) { Explainer = m => new IntegratedGradients(m) };</code></example>
public sealed record MetricInput(Module Model, Tensor Input, Tensor Attribution, Target Target)
{
    /// <summary>Ground truth for localisation: [B, H, W], [B, 1, H, W] or input-shaped; nonzero = on the object.</summary>
    public Tensor? Mask { get; init; }

    /// <summary>Builds the attribution method for a model (robustness, randomisation and axiomatic metrics re-explain
    /// perturbed inputs or modified models with it).</summary>
    public Func<Module, IAttributionMethod>? Explainer { get; init; }

    /// <summary>The number of samples B.</summary>
    public int Samples => Input.Shape[0];

    /// <summary>Builds an input from an <see cref="Attribution"/> result.</summary>
    public static MetricInput From(Module model, Tensor input, Attribution.Attribution attribution)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        return new MetricInput(model, input, attribution.Map, attribution.Target);
    }
}
