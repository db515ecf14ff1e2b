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
        return map.AsSpan().ToArray();
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
        int samples = input.Samples, rowSize = input.Input.Size / samples;
        int perCall = Math.Max(1, ModelRunner.RowsPerPass(input.Model, input.Input, options, withGradients: true) / samples);
        var rowShape = input.Input.Shape.Dims[1..].ToArray();
        var maps = new float[variants][];
        for (int first = 0; first < variants; first += perCall)
        {
            cancellation.ThrowIfCancellationRequested();
            int copies = Math.Min(perCall, variants - first);
            var rows = new float[copies * samples * rowSize];
            for (int c = 0; c < copies; c++)
                for (int b = 0; b < samples; b++)
                    write(first + c, b, rows.AsSpan((c * samples + b) * rowSize, rowSize));
            Shape stacked = new([copies * samples, .. rowShape]);
            var explained = method.Explain(Tensor.FromArray(rows, stacked.ToArray()), (target ?? input.Target).Tiled(samples, copies), cancellation);
            var flat = MapShape.ToInput(explained.Map, stacked, method.Name).AsSpan();
            for (int c = 0; c < copies; c++) maps[first + c] = flat.Slice(c * samples * rowSize, samples * rowSize).ToArray();
        }
        return maps;
    }
}
