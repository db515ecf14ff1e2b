namespace Lumen.Tensors.Tests;

/// <summary><see cref="Parallelism.ForDynamic(int, long, int, Action{int, int}, Action)"/>: every item runs exactly once, in claims of at most the grain, on
/// at most <see cref="Parallelism.MaxDegree"/> threads, and a thread that is held up leaves its items to the others.
/// Run alone, after the other tests, on two threads: many of those set the global <see cref="Parallelism.MaxDegree"/> to
/// 1 for a while, and a ForDynamic call then runs inline as a single claim of every item.</summary>
[Collection(nameof(ParallelismDynamicTests))]
public class ParallelismDynamicTests
{
    [Theory]
    [InlineData(1000, 1)]
    [InlineData(1000, 7)]
    [InlineData(5, 3)]
    [InlineData(1, 4)]
    [InlineData(0, 1)]
    public void Every_item_runs_once_in_claims_of_at_most_the_grain(int count, int grain)
    {
        var hits = new int[count];
        int oversized = 0;
        int saved = Parallelism.MaxDegree;
        try
        {
            // two threads, whatever the other test classes left behind (two of them saving and restoring the global
            // concurrently can leave it at 1, and one thread runs every item inline as a single claim)
            Parallelism.MaxDegree = 2;
            for (int rep = 0; rep < 50; rep++)
            {
                Array.Clear(hits);
                Parallelism.ForDynamic(count, 1 << 20, grain, (start, end) =>
                {
                    if (end - start > grain && count > grain) Interlocked.Increment(ref oversized);
                    for (int i = start; i < end; i++) Interlocked.Increment(ref hits[i]);
                });
                Assert.All(hits, h => Assert.Equal(1, h));
            }
        }
        finally { Parallelism.MaxDegree = saved; }
        Assert.Equal(0, oversized);
    }

    [Fact]
    public void No_more_threads_than_MaxDegree_take_part()
    {
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 2;
            for (int rep = 0; rep < 20; rep++)
            {
                var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
                Parallelism.ForDynamic(64, 1 << 20, 1, (_, _) =>
                {
                    threads[Environment.CurrentManagedThreadId] = true;
                    Thread.SpinWait(2000);
                });
                Assert.InRange(threads.Count, 1, 2);
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    /// <summary>One claim holds its thread until every other item is done (or 10 s pass); with fixed runs the held
    /// thread's remaining items could not start before it lets go, here the other thread takes them.</summary>
    [Fact]
    public void A_held_up_thread_leaves_its_items_to_the_others()
    {
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 2;
            const int count = 40;
            int done = 0, held = 0;
            bool othersFinished = false;
            Parallelism.ForDynamic(count, 1 << 20, 1, (start, _) =>
            {
                if (Interlocked.CompareExchange(ref held, 1, 0) == 0)
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    while (Volatile.Read(ref done) < count - 1 && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Yield();
                    othersFinished = Volatile.Read(ref done) == count - 1;
                }
                Interlocked.Increment(ref done);
            });
            Assert.True(othersFinished, "the held thread's items waited for it");
            Assert.Equal(count, done);
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    /// <summary>Each thread's share is claimed from the front by its owner and from the back by the others: the
    /// claims never overlap, and together they are every item.</summary>
    [Fact]
    public void A_share_is_taken_from_the_front_by_its_owner_and_from_the_back_by_the_others()
    {
        var shares = new Parallelism.Shares(10, 2);                                 // [0, 5) and [5, 10)
        Assert.Equal((0, 2), shares.TakeFront(0, 2));
        Assert.Equal((3, 5), shares.TakeBack(0, 2));
        Assert.Equal((2, 3), shares.TakeFront(0, 2));
        Assert.Null(shares.TakeFront(0, 2));
        Assert.Null(shares.TakeBack(0, 1));
        Assert.Equal((7, 10), shares.TakeBack(1, 3));
        Assert.Equal((5, 7), shares.TakeFront(1, 3));
        Assert.Null(shares.TakeBack(1, 3));
    }

    [Fact]
    public void Rejects_a_grain_below_one()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.ForDynamic(10, 1, 0, (_, _) => { }));
        Assert.Contains("grain", error.Message);
    }
}

/// <summary>Runs <see cref="ParallelismDynamicTests"/> without any other test class beside it.</summary>
[CollectionDefinition(nameof(ParallelismDynamicTests), DisableParallelization = true)]
public sealed class ParallelismDynamicCollection;
