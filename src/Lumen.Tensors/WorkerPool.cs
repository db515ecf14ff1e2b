using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Lumen.Tensors;

/// <summary>
/// A small pool of persistent worker threads for the kernels' parallel loops. A call splits its work into chunks
/// that the caller and the workers claim one at a time; between calls the workers spin briefly (then yield the CPU
/// between looks) before they sleep, so
/// the many short parallel regions of a forward pass (one or more per layer) do not pay a thread wake-up each, as
/// <see cref="System.Threading.Tasks.Parallel"/> does. One caller owns the pool at a time; a concurrent or nested
/// call reports that it could not run, and <see cref="Parallelism.For"/> then falls back to the .NET thread pool.
/// </summary>
/// <remarks>The job id and the next unclaimed chunk share one 64-bit word, so a worker that wakes late can never
/// claim a chunk of a newer job for the delegate of an older one; before a new job's fields are written the old job
/// is closed (its next chunk set past any count), so no claim of the old id can succeed against the new count.</remarks>
internal sealed class WorkerPool
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 10_000;   // ~100 µs of waiting before sleeping

    /// <summary>The first ~10 µs of a worker's wait spin on the CPU; the rest yields it (sched_yield) between looks.
    /// On an idle machine a yield returns at once, so a new job is seen as quickly; on a busy one the core goes to a
    /// thread that can use it — often this pool's own caller, still finishing the serial work before the next
    /// parallel loop — instead of to a worker that only watches for it.</summary>
    private static readonly long BusySpinTicks = Stopwatch.Frequency / 100_000;

    private readonly SemaphoreSlim wake = new(0);
    private int owned;          // 1 while a caller runs a job
    private long state;         // job id << 32 | next chunk to claim
    private int chunkCount;
    private int remaining;      // chunks of the current job not yet finished
    private int sleepers;
    private Action<int>? job;
    private Exception? failure;

    /// <summary>A pool with <paramref name="workers"/> background threads (the caller is one more).</summary>
    public WorkerPool(int workers)
    {
        Workers = workers;
        for (int i = 0; i < workers; i++)
            new Thread(Work) { IsBackground = true, Name = $"Lumen worker {i + 1}" }.Start();
    }

    /// <summary>Number of worker threads besides the caller.</summary>
    public int Workers { get; }

    /// <summary>Runs <paramref name="body"/>(c) for every chunk c in [0, <paramref name="chunks"/>) on the caller and
    /// the workers, and returns true; returns false without running anything when the pool is busy.</summary>
    public bool TryRun(int chunks, Action<int> body)
    {
        if (Interlocked.CompareExchange(ref owned, 1, 0) != 0) return false;
        try
        {
            // Close the previous job first: a worker still in its claim loop could otherwise read the new chunk count
            // and claim a chunk of the old id, which would then run with the new delegate.
            long previous = Volatile.Read(ref state) >> 32;
            Interlocked.Exchange(ref state, previous << 32 | int.MaxValue);
            job = body;
            chunkCount = chunks;
            failure = null;
            Volatile.Write(ref remaining, chunks);
            long id = previous + 1;
            Interlocked.Exchange(ref state, id << 32);
            int asleep = Volatile.Read(ref sleepers);
            if (asleep > 0 && chunks > 1) wake.Release(Math.Min(asleep, chunks - 1));
            RunChunks(id);
            var spin = new SpinWait();
            while (Volatile.Read(ref remaining) > 0) spin.SpinOnce(sleep1Threshold: -1);
            job = null;
            if (failure is { } error) ExceptionDispatchInfo.Capture(error).Throw();
            return true;
        }
        finally { Volatile.Write(ref owned, 0); }
    }

    private void RunChunks(long id)
    {
        while (true)
        {
            long current = Volatile.Read(ref state);
            if (current >> 32 != id) return;
            int chunk = (int)current;
            if (chunk >= Volatile.Read(ref chunkCount)) return;
            if (Interlocked.CompareExchange(ref state, current + 1, current) != current) continue;
            try { job!(chunk); }
            catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); }
            Interlocked.Decrement(ref remaining);
        }
    }

    private void Work()
    {
        long seen = 0;
        while (true)
        {
            long id = WaitForJob(seen);
            seen = id;
            RunChunks(id);
        }
    }

    /// <summary>Spins for a short while, then sleeps, until a job newer than <paramref name="seen"/> is published.</summary>
    private long WaitForJob(long seen)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            long id = Volatile.Read(ref state) >> 32;
            if (id != seen) return id;
            long waited = Stopwatch.GetTimestamp() - start;
            if (waited < BusySpinTicks) { Thread.SpinWait(16); continue; }
            if (waited < SpinTicks) { Thread.Yield(); continue; }
            Interlocked.Increment(ref sleepers);
            if (Volatile.Read(ref state) >> 32 == seen) wake.Wait();
            Interlocked.Decrement(ref sleepers);
            start = Stopwatch.GetTimestamp();
        }
    }
}
