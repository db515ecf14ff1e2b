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
    /// which thread runs an item, and which items share a call of <paramref name="body"/>, varies from run to run. Each
    /// thread then runs <paramref name="idle"/> when given, as in the overload below.</summary>
    /// <remarks>Each thread first claims from the front of its own share, the contiguous run <see cref="For"/> would
    /// give it, and only when that is used up claims from the back of another's (<see cref="Shares"/>). When the
    /// threads are on time every item runs where a fixed split runs it: one kernel after another, a thread works on
    /// the same part of the data, which the previous kernel left in its own core's cache. Claiming from one shared
    /// queue instead put alternate items on alternate cores: SqueezeNet at batch 1 on two threads took 2.2–2.4 % longer
    /// (passes alternated in one process, median of the pairs' ratios), Tiny Darknet 1–3.7 %; MobileNetV2 the same.</remarks>
    internal static void ForDynamic(int count, long workPerItem, int grain, Action<int, int> body, Action? idle = null)
        => ForDynamic(count, workPerItem, grain, maxDegree, body, idle);

    /// <summary>As above on at most <paramref name="maxThreads"/> threads (and <see cref="MaxDegree"/>); each thread,
    /// once no item is left to claim, runs <paramref name="idle"/> (when given) before it is done: a body can leave
    /// work there that an idle thread helps with (<see cref="Kernels.WinogradConvolution"/>'s output transforms).</summary>
    internal static void ForDynamic(int count, long workPerItem, int grain, int maxThreads, Action<int, int> body, Action? idle = null)
    {
        if (grain < 1) throw new ArgumentOutOfRangeException(nameof(grain), $"Parallelism.ForDynamic: grain must be at least 1, got {grain}.");
        int claims = (int)Math.Min((count + (long)grain - 1) / grain, int.MaxValue);
        int threads = (int)Math.Min(Math.Min(Math.Min(maxDegree, maxThreads), claims), Math.Max(1, workPerItem * count / 32_768));
        if (threads <= 1)
        {
            if (count > 0) body(0, count);
            idle?.Invoke();
            return;
        }
        var shares = new Shares(count, threads);
        For(threads, long.MaxValue / threads, (first, last) =>
        {
            for (int share = first; share < last; share++)
            {
                while (shares.TakeFront(share, grain) is (int start, int end)) body(start, end);
                for (int other = 1; other < threads; other++)
                    while (shares.TakeBack((share + other) % threads, grain) is (int start, int end)) body(start, end);
            }
            idle?.Invoke();
        });
    }

    /// <summary>The items [0, count) cut into one contiguous share per thread, each a range whose owner claims from
    /// the front and any other thread from the back; both ends of a share live in one 64-bit word (front in the low
    /// half, end in the high), changed by compare-and-swap, so no item is claimed twice. The words sit a cache line
    /// apart.</summary>
    internal sealed class Shares
    {
        private const int Stride = 8;    // longs per cache line
        private readonly long[] words;

        public Shares(int count, int threads)
        {
            words = new long[threads * Stride];
            for (int t = 0; t < threads; t++)
            {
                long start = (long)count * t / threads, end = (long)count * (t + 1) / threads;
                words[t * Stride] = end << 32 | start;
            }
        }

        /// <summary>Up to <paramref name="grain"/> items from the front of share <paramref name="share"/>, or null when it is used up.</summary>
        public (int Start, int End)? TakeFront(int share, int grain) => Take(share, grain, front: true);

        /// <summary>Up to <paramref name="grain"/> items from the back of share <paramref name="share"/>, or null when it is used up.</summary>
        public (int Start, int End)? TakeBack(int share, int grain) => Take(share, grain, front: false);

        private (int Start, int End)? Take(int share, int grain, bool front)
        {
            ref long word = ref words[share * Stride];
            while (true)
            {
                long current = Volatile.Read(ref word);
                int first = (int)current, end = (int)(current >> 32);
                if (first >= end) return null;
                var (start, stop) = front ? (first, Math.Min(end, first + grain)) : (Math.Max(first, end - grain), end);
                long next = front ? (long)end << 32 | (uint)stop : (long)start << 32 | (uint)first;
                if (Interlocked.CompareExchange(ref word, next, current) == current) return (start, stop);
            }
        }
    }

    /// <summary>The persistent workers (one fewer than the processors): a busy pool, or a call from inside a
    /// parallel loop, falls back to the .NET thread pool.</summary>
    private static WorkerPool Pool => LazyPool.Value;

    private static readonly Lazy<WorkerPool> LazyPool = new(() => new WorkerPool(Math.Max(0, Environment.ProcessorCount - 1)));
}
