using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Common;

/// <summary>
/// Splits a method's expanded inputs (steps × samples, noise samples, perturbations) into chunks that fit a memory
/// budget, so that no method runs out of memory however many steps it takes (Captum #245, #538, #1350).
/// </summary>
public static class Batching
{
    /// <summary>The default budget for the activations a chunk keeps alive: 1 GiB.</summary>
    public const long DefaultMemoryBudgetBytes = 1L << 30;

    /// <summary>
    /// How many rows of <paramref name="sample"/>'s shape fit in <paramref name="budgetBytes"/>: one recorded
    /// forward pass on a single row measures the activation memory (<see cref="Gradients.TapeBytes"/>), doubled for
    /// the gradients of the backward pass. An explicit <paramref name="batchSize"/> wins.
    /// </summary>
    /// <param name="model">The model that will run the chunks.</param>
    /// <param name="sample">One input row [1, …].</param>
    /// <param name="batchSize">A fixed chunk size, or null to derive it from the budget.</param>
    /// <param name="budgetBytes">The memory budget.</param>
    /// <param name="withGradients">Whether the chunks run backward passes too.</param>
    public static int ChunkSize(Module model, Tensor sample, int? batchSize, long budgetBytes, bool withGradients)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sample);
        if (batchSize is { } fixedSize)
            return fixedSize >= 1 ? fixedSize : throw new ArgumentOutOfRangeException(nameof(batchSize), $"Batch size must be at least 1, got {fixedSize}.");
        if (budgetBytes <= 0) throw new ArgumentOutOfRangeException(nameof(budgetBytes), $"Memory budget must be positive, got {budgetBytes} bytes.");
        long perRow;
        var probe = sample.Detach().RequireGrad();
        perRow = Gradients.TapeBytes(model.Call(probe)) + 4L * sample.Size;
        if (withGradients) perRow *= 2;
        return (int)Math.Clamp(budgetBytes / Math.Max(perRow, 1), 1, int.MaxValue);
    }

    /// <summary>Runs <paramref name="body"/> over [0, count) in chunks of <paramref name="chunkSize"/>, reporting
    /// progress and honouring cancellation between chunks.</summary>
    public static void ForEachChunk(int count, int chunkSize, Action<int, int> body, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        for (int start = 0; start < count; start += chunkSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int end = Math.Min(count, start + chunkSize);
            body(start, end);
            progress?.Report((double)end / count);
        }
    }
}
