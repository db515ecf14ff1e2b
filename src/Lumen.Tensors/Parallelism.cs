namespace Lumen.Tensors;

/// <summary>How many threads Lumen's kernels may use. Defaults to the machine's processor count.</summary>
/// <example><code>Parallelism.MaxDegree = 1; // single-threaded kernels, e.g. for benchmarks</code></example>
public static class Parallelism
{
    private static int maxDegree = Environment.ProcessorCount;

    /// <summary>The largest number of threads a kernel uses (at least 1).</summary>
    public static int MaxDegree
    {
        get => maxDegree;
        set => maxDegree = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"Parallelism.MaxDegree must be at least 1, got {value}.");
    }

    /// <summary>Runs <paramref name="body"/> for each i in [0, count), split into at most <see cref="MaxDegree"/>
    /// contiguous chunks; runs inline when one chunk suffices or <paramref name="workPerItem"/>·count is small.</summary>
    internal static void For(int count, long workPerItem, Action<int, int> body)
    {
        int chunks = (int)Math.Min(Math.Min(maxDegree, count), Math.Max(1, workPerItem * count / 32_768));
        if (chunks <= 1) { if (count > 0) body(0, count); return; }
        void Chunk(int c)
        {
            int start = (int)((long)count * c / chunks), end = (int)((long)count * (c + 1) / chunks);
            if (end > start) body(start, end);
        }
        if (chunks - 1 <= Pool.Workers && Pool.TryRun(chunks, Chunk)) return;
        System.Threading.Tasks.Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, Chunk);
    }

    /// <summary>As <see cref="For"/>, but the threads claim the items <paramref name="grain"/> at a time as each
    /// becomes free, instead of each taking one fixed contiguous run: a thread that starts late (woken from sleep,
    /// or preempted on a busy machine) or items of unequal cost no longer leave one thread idle while another still
    /// has a queue. Still at most <see cref="MaxDegree"/> threads. Only for bodies whose items are independent:
    /// which thread runs an item, and which items share a call of <paramref name="body"/>, varies from run to run.</summary>
    internal static void ForDynamic(int count, long workPerItem, int grain, Action<int, int> body)
        => ForDynamic(count, workPerItem, grain, maxDegree, body);

    /// <summary>As above on at most <paramref name="maxThreads"/> threads (and <see cref="MaxDegree"/>).</summary>
    internal static void ForDynamic(int count, long workPerItem, int grain, int maxThreads, Action<int, int> body)
    {
        if (grain < 1) throw new ArgumentOutOfRangeException(nameof(grain), $"Parallelism.ForDynamic: grain must be at least 1, got {grain}.");
        int claims = (int)Math.Min((count + (long)grain - 1) / grain, int.MaxValue);
        int threads = (int)Math.Min(Math.Min(Math.Min(maxDegree, maxThreads), claims), Math.Max(1, workPerItem * count / 32_768));
        if (threads <= 1) { if (count > 0) body(0, count); return; }
        long next = 0;
        For(threads, long.MaxValue / threads, (_, _) =>
        {
            long start;
            while ((start = Interlocked.Add(ref next, grain) - grain) < count)
                body((int)start, (int)Math.Min(count, start + grain));
        });
    }

    /// <summary>The persistent workers (one fewer than the processors): a busy pool, or a call from inside a
    /// parallel loop, falls back to the .NET thread pool.</summary>
    private static WorkerPool Pool => LazyPool.Value;

    private static readonly Lazy<WorkerPool> LazyPool = new(() => new WorkerPool(Math.Max(0, Environment.ProcessorCount - 1)));
}
