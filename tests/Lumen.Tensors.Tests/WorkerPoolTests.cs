namespace Lumen.Tensors.Tests;

/// <summary>The persistent worker pool behind <see cref="Parallelism.For"/>: every chunk runs exactly once across
/// many back-to-back jobs, nested and concurrent calls fall back instead of deadlocking, errors reach the caller.</summary>
public class WorkerPoolTests
{
    [Fact]
    public void Every_chunk_runs_exactly_once_over_many_consecutive_jobs()
    {
        var pool = new WorkerPool(3);
        for (int job = 0; job < 20_000; job++)
        {
            int chunks = 1 + job % 7;
            var hits = new int[chunks];
            Assert.True(pool.TryRun(chunks, c => Interlocked.Increment(ref hits[c])));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void A_nested_call_reports_busy_and_the_outer_job_still_completes()
    {
        var pool = new WorkerPool(1);
        int inner = 0, outer = 0;
        Assert.True(pool.TryRun(2, c =>
        {
            if (!pool.TryRun(2, _ => Interlocked.Increment(ref inner))) Interlocked.Increment(ref outer);
        }));
        Assert.Equal(0, inner);
        Assert.Equal(2, outer);
    }

    [Fact]
    public void An_exception_in_a_chunk_reaches_the_caller_and_the_pool_stays_usable()
    {
        var pool = new WorkerPool(1);
        var error = Assert.Throws<InvalidOperationException>(() => pool.TryRun(4, c => { if (c == 2) throw new InvalidOperationException("chunk 2 failed"); }));
        Assert.Equal("chunk 2 failed", error.Message);
        int count = 0;
        Assert.True(pool.TryRun(4, _ => Interlocked.Increment(ref count)));
        Assert.Equal(4, count);
    }

    [Fact]
    public void Concurrent_callers_of_Parallelism_For_all_get_complete_results()
    {
        const int n = 100_000;
        var sums = new long[8];
        System.Threading.Tasks.Parallel.For(0, sums.Length, t =>
        {
            for (int rep = 0; rep < 20; rep++)
            {
                var marks = new int[n];
                Parallelism.For(n, 10, (start, end) => { for (int i = start; i < end; i++) marks[i]++; });
                sums[t] += marks.Sum();
            }
        });
        Assert.All(sums, s => Assert.Equal(20L * n, s));
    }
}
