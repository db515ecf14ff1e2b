using Lumen.Attribution;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Common;

/// <summary>Re-runs the attribution method of a <see cref="MetricInput"/> on perturbed copies of the whole batch (one
/// Explain call per perturbation, so the method batches its own steps over all samples).</summary>
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
        return map.AsSpan().ToArray();
    }
}
