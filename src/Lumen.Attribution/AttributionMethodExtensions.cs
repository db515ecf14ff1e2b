using Lumen.Tensors;

namespace Lumen.Attribution;

/// <summary>Conveniences over any <see cref="IAttributionMethod"/>.</summary>
public static class AttributionMethodExtensions
{
    /// <summary>
    /// Explains several classes of every sample in one call: each sample's row is repeated once per class and the
    /// copies are explained together with <see cref="Target.Classes"/>, so that a method which expands its input
    /// (steps, noise samples, perturbations) batches the work of all classes into the same chunks.
    /// </summary>
    /// <remarks>Row b·K + k of the returned map [B·K, …] is sample b explained for <paramref name="classes"/>[k].</remarks>
    /// <example><code>var maps = new IntegratedGradients(model).ExplainClasses(image, [207, 208, 281]).Map; // [3, 3, 224, 224]</code></example>
    public static Attribution ExplainClasses(this IAttributionMethod method, Tensor input, IReadOnlyList<int> classes, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count == 0) throw new ArgumentException("ExplainClasses: give at least one class.", nameof(classes));
        if (input.Rank == 0) throw new ArgumentException($"ExplainClasses: the input needs a batch dimension, got shape {input.Shape}.", nameof(input));
        int samples = input.Shape[0], k = classes.Count, rowSize = input.Size / Math.Max(samples, 1);
        var source = input.AsReadOnlySpan();
        var rows = new float[samples * k * rowSize];
        var perRow = new int[samples * k];
        for (int b = 0; b < samples; b++)
            for (int c = 0; c < k; c++)
            {
                source.Slice(b * rowSize, rowSize).CopyTo(rows.AsSpan((b * k + c) * rowSize, rowSize));
                perRow[b * k + c] = classes[c];
            }
        return method.Explain(Tensor.FromArray(rows, [samples * k, .. input.Shape.Dims[1..]]), Target.Classes(perRow), cancellation, progress);
    }
}
