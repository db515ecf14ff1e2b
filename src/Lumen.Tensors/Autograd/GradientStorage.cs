namespace Lumen.Tensors.Autograd;

/// <summary>
/// Who holds a gradient during one backward pass that records no graph, so the pass can write into gradients and
/// reuse their storage instead of allocating (and page-faulting) a fresh array for every one.
/// </summary>
/// <remarks>
/// A gradient is <em>free</em> for the rule it is handed to when the pass alone held it: it was summed by the pass
/// or declared <see cref="Fresh"/> by the rule that returned it (newly allocated, referenced nowhere else), and it
/// is not a seed or a requested result. A rule may overwrite a free gradient (<see cref="IsFree"/>; the ReLU/Clamp
/// masks do). After a built-in rule returns, a free gradient that none of its results shares storage with is dead,
/// and its array is kept for the next gradient of the same length (<see cref="Rent"/>). Custom rules
/// (<see cref="Gradients.Custom"/>: hooks, LRP rules) may keep the gradient they were given, so theirs are never
/// reused. The state is per thread and per pass; nested passes save and restore it. When a pass ends, its spare
/// arrays are kept for the next pass only through weak references, so attribution methods that run a backward
/// pass per chunk reuse them while the garbage collector may still reclaim them at any time — unless the pass runs
/// inside a suspended <see cref="StoragePool"/> scope (an attribution chunk whose model lends its pool): then it also
/// takes free arrays of that pool and gives its spare arrays to it when it ends, so they survive to the next chunk.
/// </remarks>
internal sealed class GradientStorage
{
    [ThreadStatic] private static GradientStorage? current;

    /// <summary>Spare arrays of ended passes, weakly held (at most <see cref="MaxRetained"/>).</summary>
    private static readonly List<WeakReference<float[]>> Retained = [];
    private const int MaxRetained = 256;

    private readonly GradientStorage? outer;
    private readonly StoragePool? pool;
    private readonly Dictionary<int, Stack<float[]>> spare = [];
    private readonly List<Tensor> fresh = [];
    private Tensor? free;

    private GradientStorage(GradientStorage? outer, StoragePool? pool)
    {
        this.outer = outer;
        this.pool = pool;
    }

    /// <summary>Starts the bookkeeping of a pass on this thread, with the retained arrays of ended passes that the
    /// garbage collector has not reclaimed, and <paramref name="pool"/>'s free arrays when given; <see cref="End"/>
    /// restores the outer pass's.</summary>
    public static GradientStorage Begin(StoragePool? pool = null)
    {
        var pass = new GradientStorage(current, pool);
        lock (Retained)
        {
            foreach (var reference in Retained)
                if (reference.TryGetTarget(out var array)) pass.Keep(array);
            Retained.Clear();
        }
        return current = pass;
    }

    /// <summary>Ends this pass's bookkeeping; its spare arrays go to the pool, or stay weakly reachable for the next pass.</summary>
    public void End()
    {
        current = outer;
        if (pool is not null)
        {
            foreach (var stack in spare.Values)
                foreach (var array in stack) pool.Give(array);
            spare.Clear();
            return;
        }
        lock (Retained)
            foreach (var stack in spare.Values)
                foreach (var array in stack)
                    if (Retained.Count < MaxRetained) Retained.Add(new WeakReference<float[]>(array));
        spare.Clear();
    }

    /// <summary>Whether <paramref name="g"/>, the gradient handed to the running rule, may be overwritten by it.</summary>
    public static bool IsFree(Tensor g) => current?.free is { } f && ReferenceEquals(f, g);

    /// <summary>Declares <paramref name="g"/>, a result of the running rule, as held by nothing but the pass (a new
    /// array, or the rule's free gradient written in place). Returns it.</summary>
    public static Tensor Fresh(Tensor g)
    {
        current?.fresh.Add(g);
        return g;
    }

    /// <summary>A float array of <paramref name="length"/> elements for a gradient: a dead gradient's array when the
    /// running pass has one of that length, else a new one. Zero-filled unless the caller will <paramref name="overwrite"/>
    /// every element.</summary>
    public static float[] Rent(int length, bool overwrite = false)
    {
        if (current is { } pass && pass.spare.TryGetValue(length, out var stack) && stack.Count > 0)
        {
            var array = stack.Pop();
            if (!overwrite) Array.Clear(array);
            return array;
        }
        if (current?.pool?.TryTake(length) is { } pooled)
        {
            if (!overwrite) Array.Clear(pooled);
            return pooled;
        }
        return overwrite ? GC.AllocateUninitializedArray<float>(length) : new float[length];
    }

    /// <summary>Before a rule runs: <paramref name="g"/> is its free gradient, or null.</summary>
    public void BeforeRule(Tensor? g)
    {
        free = g;
        fresh.Clear();
    }

    /// <summary>After a rule ran on <paramref name="g"/> and returned <paramref name="results"/>: keeps g's array for
    /// reuse when g was free, the rule cannot have kept it, and no result shares it.</summary>
    public void AfterRule(Tensor g, Tensor?[] results, bool ruleMayKeep)
    {
        bool wasFree = ReferenceEquals(free, g);
        free = null;
        if (!wasFree || ruleMayKeep || g.DType != DType.Float32) return;
        foreach (var r in results)
            if (r is not null && ReferenceEquals(r.Storage, g.Storage)) return;
        Keep(g.Floats);
    }

    /// <summary>Keeps the array of <paramref name="g"/>, a gradient that this pass alone held and that no pending
    /// gradient and no result holds any more, for reuse.</summary>
    public void Recycle(Tensor g)
    {
        if (g.DType == DType.Float32) Keep(g.Floats);
    }

    private void Keep(float[] array)
    {
        if (!spare.TryGetValue(array.Length, out var stack)) spare[array.Length] = stack = new Stack<float[]>();
        stack.Push(array);
    }

    /// <summary>Whether result <paramref name="k"/> of the rule that just ran was declared fresh and shares its storage
    /// with no other result.</summary>
    public bool IsFreshResult(Tensor?[] results, int k)
    {
        var g = results[k]!;
        bool declared = false;
        foreach (var d in fresh) declared |= ReferenceEquals(d, g);
        for (int other = 0; declared && other < results.Length; other++)
            if (other != k && results[other] is { } r && ReferenceEquals(r.Storage, g.Storage)) declared = false;
        return declared;
    }
}
