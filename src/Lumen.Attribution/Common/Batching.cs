using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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
    private static readonly AsyncLocal<long?> ScopedBudget = new();

    /// <summary>The budget the methods' options take when none is given: 1 GiB, or the budget of the innermost
    /// <see cref="UseDefaultBudget"/> scope on this thread or async flow.</summary>
    public static long DefaultMemoryBudgetBytes => ScopedBudget.Value ?? (1L << 30);

    /// <summary>Makes <paramref name="bytes"/> the default memory budget of every method options record created on
    /// this thread or async flow until the returned scope is disposed, e.g. for methods built from the catalog with
    /// their default options.</summary>
    /// <example><code>using (Batching.UseDefaultBudget(256L &lt;&lt; 20)) method = KnownAttributionMethods.Create("ig", model);</code></example>
    public static IDisposable UseDefaultBudget(long bytes)
    {
        if (bytes <= 0) throw new ArgumentOutOfRangeException(nameof(bytes), $"Memory budget must be positive, got {bytes} bytes.");
        var previous = ScopedBudget.Value;
        ScopedBudget.Value = bytes;
        return new BudgetScope(previous);
    }

    private sealed class BudgetScope(long? previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            ScopedBudget.Value = previous;
        }
    }

    /// <summary>
    /// How many rows of <paramref name="sample"/>'s shape fit in <paramref name="budgetBytes"/>: one recorded
    /// forward pass on a single row measures the activation memory (<see cref="Gradients.TapeBytes"/>), doubled for
    /// the gradients of the backward pass. An explicit <paramref name="batchSize"/> wins. The measurement is kept per
    /// model, row shape and number of hooks, so later calls (every Explain of a method, every image of a run) skip the
    /// probe pass; a chunk size only sets how rows are grouped, never a value (chunked = unchunked).
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
        var measured = MeasuredRowBytes.GetOrCreateValue(model);
        var key = (sample.DType, sample.Shape.ToString(), model.Hooks.Count);
        if (!measured.TryGetValue(key, out long perRow))
            measured[key] = perRow = RowBytes(model, sample);
        if (withGradients) perRow *= 2;
        return (int)Math.Clamp(budgetBytes / Math.Max(perRow, 1), 1, int.MaxValue);
    }

    /// <summary>Bytes per row measured by <see cref="RowBytes"/>, per model (dropped with it), input dtype and shape,
    /// and number of hooks (a hook may change what the pass records).</summary>
    private static readonly ConditionalWeakTable<Module, ConcurrentDictionary<(DType, string, int), long>> MeasuredRowBytes = new();

    // one recorded forward pass on the row: its tape plus the row itself
    private static long RowBytes(Module model, Tensor sample)
    {
        var probe = sample.Detach().RequireGrad();
        // the probe pass is dropped right away: without hooks, a model that lends its pass storage gets it all back
        using var pass = model.Hooks.Count == 0 ? model.PassStorage?.Enter() : null;
        long bytes = Gradients.TapeBytes(model.Call(probe)) + 4L * sample.Size;
        pass?.RecycleAll();
        return bytes;
    }

    /// <summary>
    /// A chunk size for <paramref name="count"/> rows of at most <paramref name="maxChunk"/> rows that splits them into
    /// chunks of one length when a divisor of the count lies above half of <paramref name="maxChunk"/> (50 rows at most
    /// 19 a chunk: 5 × 10, not 19 + 19 + 12); else <paramref name="maxChunk"/>. A storage pool reuses arrays of the
    /// same length only, so with equal chunks every chunk after the first runs on the first one's memory, where a
    /// large last chunk faults all of its pages in again, on every call.
    /// </summary>
    /// <example><code>int chunk = options.BatchSize ?? Batching.EqualChunks(rows, Batching.ChunkSize(model, row, null, budget, true));</code></example>
    public static int EqualChunks(int count, int maxChunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunk, 1);
        if (count <= maxChunk) return Math.Max(count, 1);
        for (int size = maxChunk; 2 * size > maxChunk; size--)
            if (count % size == 0) return size;
        return maxChunk;
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

    /// <summary>Runs <paramref name="body"/>(r) for every row r in [0, <paramref name="count"/>) on up to
    /// <see cref="Parallelism.MaxDegree"/> threads: for preparing a chunk's rows (noise, interpolation), where each
    /// row is written by itself from its own seed, so the result does not depend on the thread count.</summary>
    public static void ForEachRow(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        int threads = Math.Min(Parallelism.MaxDegree, count);
        if (threads <= 1) { for (int r = 0; r < count; r++) body(r); return; }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }
}
