using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Base of the perturbation family: methods that explain a model from forward passes alone, on perturbed copies of
/// the input. It supplies the batched, gradient-free scoring of perturbed rows, chunked to a memory budget, with
/// progress and cancellation between chunks.
/// </summary>
public abstract class PerturbationMethod : IAttributionMethod
{
    /// <summary>Binds the method to <paramref name="model"/>.</summary>
    protected PerturbationMethod(Module model) => Model = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>The explained model.</summary>
    public Module Model { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null);

    /// <summary>Checks that <paramref name="input"/> has a batch dimension and returns the batch size.</summary>
    protected int Samples(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Shape[0] == 0) throw new ArgumentException($"{GetType().Name}: the input needs a non-empty batch dimension [B, …], got shape {input.Shape}.", nameof(input));
        return input.Shape[0];
    }

    /// <summary>The target score of each sample of <paramref name="input"/>, without gradients.</summary>
    protected float[] ScoresOf(Tensor input, Target target)
    {
        using (GradMode.Off()) return TargetedForward.Scores(Model, input.Detach(), target).AsReadOnlySpan().ToArray();
    }

    /// <summary>Rows per forward pass: <paramref name="batchSize"/>, or what fits <paramref name="budgetBytes"/>
    /// for one row of <paramref name="input"/>.</summary>
    protected int ChunkSize(Tensor input, int? batchSize, long budgetBytes) =>
        Batching.ChunkSize(Model, Row(input, 0), batchSize, budgetBytes, withGradients: false);

    /// <summary>Sample <paramref name="sample"/> of <paramref name="input"/> as a [1, …] tensor.</summary>
    protected static Tensor Row(Tensor input, int sample)
    {
        int rowSize = input.Size / input.Shape[0];
        var row = Tensor.Zeros(input.Shape.With(0, 1));
        input.AsReadOnlySpan().Slice(sample * rowSize, rowSize).CopyTo(row.AsSpan());
        return row;
    }

    /// <summary>
    /// The target scores of <paramref name="count"/> rows of shape <paramref name="rowShape"/> (the dimensions after
    /// the batch) built by <paramref name="fill"/>(r, row) (the row span is
    /// zeroed first), row r explained for sample <paramref name="sampleOfRow"/>(r); run <paramref name="chunk"/>
    /// rows per forward pass, reporting progress and honouring cancellation between passes.
    /// </summary>
    protected float[] ScoreRows(Shape rowShape, int count, Action<int, Span<float>> fill, Func<int, int> sampleOfRow, Target target,
        int chunk, CancellationToken cancellation, IProgress<double>? progress)
    {
        ArgumentNullException.ThrowIfNull(fill);
        int rowSize = rowShape.Size;
        var scores = new float[count];
        Batching.ForEachChunk(count, chunk, (start, end) =>
        {
            int rows = end - start;
            var batch = Tensor.Zeros([rows, .. rowShape.Dims]);
            var data = batch.AsSpan();
            var owners = new int[rows];
            for (int r = 0; r < rows; r++)
            {
                fill(start + r, data.Slice(r * rowSize, rowSize));
                owners[r] = sampleOfRow(start + r);
            }
            using (GradMode.Off())
                TargetedForward.Scores(Model, batch, target.ForRows(owners)).AsReadOnlySpan().CopyTo(scores.AsSpan(start, rows));
        }, cancellation, progress);
        return scores;
    }

    /// <summary><see cref="ScoreRows"/> for the helpers of this family.</summary>
    internal float[] ScoreRowsFor(Shape rowShape, int count, Action<int, Span<float>> fill, Func<int, int> sampleOfRow, Target target,
        int chunk, CancellationToken cancellation, IProgress<double>? progress) =>
        ScoreRows(rowShape, count, fill, sampleOfRow, target, chunk, cancellation, progress);

    /// <summary>
    /// Checks the batch and target, then runs <paramref name="explain"/>(input, target, cancellation, progress) on the
    /// whole batch or, when <paramref name="mask"/> gives every sample its own features
    /// (<see cref="FeatureMask.DependsOnInput"/>, e.g. superpixels), on each sample alone, joining the maps and deltas
    /// in batch order. The <c>Explain</c> of every feature-mask method.
    /// </summary>
    protected Attribution PerSampleIfNeeded(FeatureMask mask, Tensor input, Target target, CancellationToken cancellation, IProgress<double>? progress,
        Func<Tensor, Target, CancellationToken, IProgress<double>?, Attribution> explain)
    {
        int samples = Samples(input);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(explain);
        if (!mask.DependsOnInput || samples == 1) return explain(input, target, cancellation, progress);
        var parts = new Attribution[samples];
        for (int b = 0; b < samples; b++) parts[b] = explain(Row(input, b), target.ForRows([b]), cancellation, Part(progress, b, samples));
        var delta = parts.All(p => p.Delta is not null) ? Tensor.Concat([.. parts.Select(p => p.Delta!)]) : null;
        return new Attribution(Tensor.Concat([.. parts.Select(p => p.Map)]), target, parts[0].Method, delta);
    }

    /// <summary>Progress of part <paramref name="index"/> of <paramref name="parts"/> equal parts, as a share of the whole.</summary>
    protected internal static IProgress<double>? Part(IProgress<double>? progress, int index, int parts) =>
        progress is null ? null : new PartProgress(progress, index, parts);

    private sealed class PartProgress(IProgress<double> whole, int index, int parts) : IProgress<double>
    {
        public void Report(double value) => whole.Report((index + value) / parts);
    }
}
