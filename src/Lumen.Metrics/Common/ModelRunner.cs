using Lumen.Attribution;
using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Metrics.Common;

/// <summary>Writes variant <c>variant</c> of sample <c>sample</c> into <c>row</c>.</summary>
internal delegate void RowWriter(int variant, int sample, Span<float> row);

/// <summary>
/// Runs the model on variants of every sample (perturbed, masked, noised copies) in forward passes that fit the
/// memory budget, writing each chunk's rows only when it runs. Rows are variant-major: row v·B + b is variant v of
/// sample b, so every group of B rows is a batch in sample order and any <see cref="Target"/> (per-sample classes
/// included) selects its scores.
/// </summary>
internal sealed class ModelRunner
{
    private readonly Module model;
    private readonly Target target;
    private readonly int samples;
    private readonly int[] rowShape;

    public ModelRunner(Module model, Target target, Tensor input, MetricOptions options)
    {
        this.model = model;
        this.target = target;
        samples = input.Shape[0];
        RowSize = input.Size / samples;
        rowShape = input.Shape.Dims[1..].ToArray();
        ChunkRows = Math.Max(1, RowsPerPass(model, input, options, withGradients: false) / samples) * samples;
    }

    /// <summary>Rows like one sample of <paramref name="input"/> that one pass of <paramref name="model"/> (forward,
    /// or forward and backward) may run within the options' memory budget, or the options' batch size.</summary>
    public static int RowsPerPass(Module model, Tensor input, MetricOptions options, bool withGradients)
    {
        int rowSize = input.Size / input.Shape[0];
        var probe = Tensor.FromArray(input.AsReadOnlySpan()[..rowSize].ToArray(), [1, .. input.Shape.Dims[1..]]);
        return Batching.ChunkSize(model, probe, options.BatchSize, options.MemoryBudgetBytes, withGradients);
    }

    /// <summary>Elements per sample.</summary>
    public int RowSize { get; }

    /// <summary>Rows per forward pass (a multiple of the sample count).</summary>
    public int ChunkRows { get; }

    /// <summary>Target scores of <paramref name="variants"/> variants of every sample, indexed [variant][sample].</summary>
    public double[][] Scores(int variants, RowWriter write, CancellationToken cancellation) => Run(variants, write, cancellation, null);

    /// <summary>Target scores and arg-max classes, each indexed [variant][sample].</summary>
    public (double[][] Scores, int[][] Predictions) ScoresAndPredictions(int variants, RowWriter write, CancellationToken cancellation)
    {
        var predictions = Enumerable.Range(0, variants).Select(_ => new int[samples]).ToArray();
        return (Run(variants, write, cancellation, predictions), predictions);
    }

    /// <summary>The flattened outputs of every variant of every sample, indexed [variant][sample].</summary>
    public float[][][] Outputs(int variants, RowWriter write, CancellationToken cancellation)
    {
        var outputs = Enumerable.Range(0, variants).Select(_ => new float[samples][]).ToArray();
        ForEachChunk(variants, write, cancellation, (first, output) =>
        {
            int k = output.Size / output.Shape[0];
            for (int r = 0; r < output.Shape[0]; r++)
                outputs[(first + r) / samples][(first + r) % samples] = output.AsReadOnlySpan().Slice(r * k, k).ToArray();
        });
        return outputs;
    }

    private double[][] Run(int variants, RowWriter write, CancellationToken cancellation, int[][]? predictions)
    {
        var scores = Enumerable.Range(0, variants).Select(_ => new double[samples]).ToArray();
        ForEachChunk(variants, write, cancellation, (first, output) =>
        {
            int count = output.Shape[0], k = output.Size / count;
            var flat = output.AsReadOnlySpan();
            for (int g = 0; g < count / samples; g++)
            {
                var group = Tensor.FromArray(flat.Slice(g * samples * k, samples * k).ToArray(), [samples, .. output.Shape.Dims[1..]]);
                var s = target.Select(group).AsReadOnlySpan();
                int variant = first / samples + g;
                for (int b = 0; b < samples; b++) scores[variant][b] = s[b];
            }
            if (predictions is not null)
                for (int r = 0; r < count; r++) predictions[(first + r) / samples][(first + r) % samples] = Statistics.ArgMax(flat.Slice(r * k, k));
        });
        return scores;
    }

    private void ForEachChunk(int variants, RowWriter write, CancellationToken cancellation, Action<int, Tensor> body)
    {
        VariantStacks.ForEach(variants, ChunkRows / samples, samples, rowShape, write, (first, _, batch) =>
        {
            Tensor output;
            using (GradMode.Off()) output = model.Call(batch);
            body(first * samples, output);
        }, cancellation);
    }
}
