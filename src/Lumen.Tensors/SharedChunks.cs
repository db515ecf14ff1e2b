namespace Lumen.Tensors;

/// <summary>
/// The last step of a parallel loop's items, cut into chunks that idle threads help with: an item's owner publishes
/// what the step needs (<see cref="Publish"/>) and claims chunks until none is left (<see cref="Claim"/>,
/// <see cref="Finished"/>), then waits until every chunk is done (<see cref="AwaitDone"/>: a helper may still read
/// what the owner published); a thread that has no item left to claim (<see cref="Parallelism.ForDynamic(int, long, int, int, Action{int, int}, Action)"/>'s
/// idle action) waits for each unfinished item's publication and claims its chunks too (<see cref="Help"/>). So the
/// threads finish together where the items' work differs. Every chunk runs once, whoever claims it.
/// </summary>
/// <typeparam name="T">What an item's owner publishes for the step (e.g. its shape and a pointer to its results).</typeparam>
/// <remarks>Chunks are an eighth of an item's <c>units</c> (at least one): few enough claims to cost nothing beside the
/// work, small enough that a helper arriving late still takes a share. Winograd's output transforms on SqueezeNet at
/// batch 1, two threads (passes alternated in one process, pair-ratio medians against sixteenths): eighths
/// 0.989–0.998, sixths 0.986–0.990, twelfths 0.992–0.995, quarters 0.990–1.001, 32nds 1.002–1.014.</remarks>
internal sealed class SharedChunks<T>
{
    private readonly Entry[] entries;
    private readonly int units, chunk;

    /// <summary>Shares for <paramref name="items"/> items of <paramref name="units"/> units of work each (e.g. output channels).</summary>
    public SharedChunks(int items, int units)
    {
        entries = new Entry[items];
        for (int i = 0; i < items; i++) entries[i] = new Entry();
        this.units = units;
        chunk = Math.Max(1, units / 8);
    }

    private sealed class Entry
    {
        public T? Payload;
        public volatile bool Ready;
        public int Next;        // the next unit to claim
        public int Done;        // units finished
    }

    /// <summary>Item <paramref name="item"/>'s step can start: its payload, open for claims.</summary>
    public void Publish(int item, T payload)
    {
        var entry = entries[item];
        entry.Payload = payload;
        entry.Ready = true;
    }

    /// <summary>The next chunk [start, end) of item <paramref name="item"/>'s units, or null when all are claimed.</summary>
    public (int Start, int End)? Claim(int item)
    {
        int start = Interlocked.Add(ref entries[item].Next, chunk) - chunk;
        return start < units ? (start, Math.Min(units, start + chunk)) : null;
    }

    /// <summary>Notes <paramref name="count"/> units of item <paramref name="item"/> finished.</summary>
    public void Finished(int item, int count) => Interlocked.Add(ref entries[item].Done, count);

    /// <summary>Waits until every unit of item <paramref name="item"/> is finished.</summary>
    public void AwaitDone(int item)
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref entries[item].Done) < units) spin.SpinOnce(sleep1Threshold: -1);
    }

    /// <summary>Runs <paramref name="step"/>(payload, start, end) for chunks of every item with units left to claim,
    /// waiting for an item's payload where its owner has not published it yet. Call it only when no item is left to
    /// claim (every item has an owner at work or done), else it waits for an item no thread will publish.</summary>
    public void Help(Action<T, int, int> step)
    {
        for (int item = 0; item < entries.Length; item++)
        {
            var entry = entries[item];
            var spin = new SpinWait();
            while (!entry.Ready && Volatile.Read(ref entry.Next) < units) spin.SpinOnce(sleep1Threshold: -1);
            while (Claim(item) is (int start, int end))
            {
                try { step(entry.Payload!, start, end); }
                finally { Finished(item, end - start); }       // a failed chunk must not leave the owner waiting
            }
        }
    }

    /// <summary>Item <paramref name="item"/>'s owner failed before or during its step: no chunk of it is claimed any
    /// more, so no helper waits for it.</summary>
    public void Abandon(int item)
    {
        var entry = entries[item];
        Interlocked.Exchange(ref entry.Next, units);
        entry.Ready = true;
    }
}
