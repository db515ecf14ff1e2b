using Lumen.Attribution;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Common;

/// <summary>Re-runs the attribution method of a <see cref="MetricInput"/> on perturbed copies of the whole batch.
/// <see cref="ExplainVariants"/> stacks as many copies (perturbation draws) as fit the memory budget into one Explain
/// call, so the method batches its own steps over all copies and samples at once.</summary>
internal static class Reexplainer
{
    /// <summary>The method for <paramref name="model"/> (the input's model by default).</summary>
    public static IAttributionMethod MethodFor(MetricInput input, Module? model = null) =>
        (input.Explainer ?? throw new ArgumentException("The metric needs MetricInput.Explainer."))(model ?? input.Model);

    /// <summary>Explains a batch shaped like the input and returns its flattened map.</summary>
    public static float[] Explain(IAttributionMethod method, MetricInput input, float[] rows, Target? target = null)
    {
        var batch = Tensor.FromArray(rows, input.Input.Shape.ToArray());
        var map = MapShape.ToInput(method.Explain(batch, target ?? input.Target).Map, input.Input.Shape, method.Name);
        return map.AsReadOnlySpan().ToArray();
    }

    /// <summary>
    /// Explains <paramref name="variants"/> copies of the batch (copy v of sample b written by
    /// <paramref name="write"/>) and returns each copy's flattened map [variant][B · row]. Copies are stacked
    /// variant-major along the batch axis, as many per Explain call as <see cref="ModelRunner.RowsPerPass"/> allows
    /// with a backward pass (or <see cref="MetricOptions.BatchSize"/> rows; a batch size of B gives one call per
    /// copy). The maps equal those of one call per copy for every method whose rows do not interact (all
    /// deterministic methods); a stochastic method draws its own noise per call, so its maps differ by that draw.
    /// </summary>
    public static float[][] ExplainVariants(IAttributionMethod method, MetricInput input, int variants, RowWriter write,
        MetricOptions options, CancellationToken cancellation, Target? target = null)
    {
        int samples = input.Samples;
        int perCall = Math.Max(1, ModelRunner.RowsPerPass(input.Model, input.Input, options, withGradients: true) / samples);
        return VariantStacks.Map(variants, perCall, samples, input.Input.Shape.Dims[1..].ToArray(), write, (stacked, copies) =>
            MapShape.ToInput(method.Explain(stacked, (target ?? input.Target).Tiled(samples, copies), cancellation).Map, stacked.Shape, method.Name), cancellation);
    }
}
