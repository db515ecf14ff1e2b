namespace Lumen.Tensors.Tests;

/// <summary><see cref="SharedChunks{T}"/>: every unit of every item runs once whoever claims it, an owner waits for its
/// helpers' chunks, and neither a failed item nor a failed chunk leaves a thread waiting.</summary>
public class SharedChunksTests
{
    [Fact]
    public void Every_unit_runs_once_and_an_idle_thread_helps_a_slow_item()
    {
        const int items = 2, units = 64;
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 2;
            int helped = 0;
            for (int round = 0; round < 20; round++)
            {
                var runs = new int[items * units];
                var owners = new int[items];
                var shares = new SharedChunks<int>(items, units);
                void Step(int item, int start, int end, bool owner)
                {
                    for (int u = start; u < end; u++) Interlocked.Increment(ref runs[item * units + u]);
                    if (!owner) Interlocked.Increment(ref helped);
                    Thread.SpinWait(item == 0 ? 20_000 : 100);          // item 0's units take far longer
                }
                Parallelism.ForDynamic(items, long.MaxValue / items, 1, 2, (start, end) =>
                {
                    for (int item = start; item < end; item++)
                    {
                        owners[item] = Environment.CurrentManagedThreadId;
                        shares.Publish(item, item);
                        while (shares.Claim(item) is (int first, int last))
                        {
                            Step(item, first, last, owner: true);
                            shares.Finished(item, last - first);
                        }
                        shares.AwaitDone(item);
                    }
                }, () => shares.Help((item, first, last) => Step(item, first, last, owners[item] == Environment.CurrentManagedThreadId)));
                Assert.All(runs, count => Assert.Equal(1, count));
            }
            if (Environment.ProcessorCount >= 2) Assert.True(helped > 0, "no chunk of the slow item was ever taken by the idle thread");
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Fact]
    public void An_owner_waits_until_a_helpers_chunk_is_done()
    {
        var shares = new SharedChunks<string>(1, 16);
        shares.Publish(0, "item");
        var claimed = new ManualResetEventSlim();
        bool written = false;
        var helper = new Thread(() => shares.Help((_, _, _) =>
        {
            claimed.Set();
            Thread.Sleep(50);
            Volatile.Write(ref written, true);
        }));
        helper.Start();
        Assert.True(claimed.Wait(TimeSpan.FromSeconds(10)));
        while (shares.Claim(0) is (int start, int end)) shares.Finished(0, end - start);
        shares.AwaitDone(0);
        Assert.True(Volatile.Read(ref written), "AwaitDone returned before the helper's chunk was done");
        helper.Join();
    }

    [Fact]
    public void A_helper_stops_waiting_for_an_item_whose_owner_failed()
    {
        var shares = new SharedChunks<int>(1, 8);
        var helper = new Thread(() => shares.Help((_, _, _) => throw new InvalidOperationException("an abandoned item ran")));
        helper.Start();
        Thread.Sleep(20);                                   // the helper waits for item 0's publication
        shares.Abandon(0);
        Assert.True(helper.Join(TimeSpan.FromSeconds(10)), "the helper still waits for an abandoned item");
    }

    [Fact]
    public void A_chunk_that_throws_still_counts_as_done()
    {
        var shares = new SharedChunks<int>(1, 32);
        shares.Publish(0, 0);
        Assert.Throws<InvalidOperationException>(() => shares.Help((_, start, _) =>
        {
            if (start == 0) throw new InvalidOperationException("the first chunk fails");
        }));
        while (shares.Claim(0) is (int start, int end)) shares.Finished(0, end - start);
        var owner = new Thread(() => shares.AwaitDone(0));
        owner.Start();
        Assert.True(owner.Join(TimeSpan.FromSeconds(10)), "the owner waits for a chunk that failed");
    }
}
