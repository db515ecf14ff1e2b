namespace Lumen.Tensors;

/// <summary>
/// Recycles the float storage of intermediate tensors between the steps of an inference graph and from one call
/// to the next, so that a forward pass reuses warm, already-mapped memory instead of allocating (and page-faulting)
/// a fresh array for every activation.
/// </summary>
/// <remarks>
/// An owner (a graph runner) opens a <see cref="Scope"/> on the calling thread for one forward pass; while it is
/// open, float outputs of the ops take arrays of exactly the right length from the pool. The owner hands a tensor
/// back with <see cref="Scope.Recycle"/> once nothing can read it any more, which it must guarantee: no gradient
/// recorded, no hook holding it, no live value sharing its storage. The scope only takes back arrays it handed
/// out itself, so a caller's tensors (inputs, weights, results of earlier calls) are never reused. Arrays kept
/// between calls are capped at <see cref="MaxRetainedBytes"/>. Thread-safe: concurrent calls share the free lists.
/// A caller that runs a whole recorded forward pass and its backward pass (an attribution method's chunk) may instead
/// hand everything back at once with <see cref="Scope.RecycleAll"/> once it has dropped the pass. Backward passes never
/// take storage from a scope (<see cref="Suspend"/>): their gradients have their own reuse (Autograd/GradientStorage),
/// and an array must never be owned by both.
/// </remarks>
public sealed class StoragePool
{
    [ThreadStatic]
    private static Scope? current;

    private readonly Dictionary<int, Stack<float[]>> free = [];
    private long retainedBytes;

    /// <summary>A pool that keeps at most <paramref name="maxRetainedBytes"/> of free arrays between calls.</summary>
    public StoragePool(long maxRetainedBytes = DefaultMaxRetainedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetainedBytes);
        MaxRetainedBytes = Math.Min(maxRetainedBytes, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8);
    }

    /// <summary>The default cap on free arrays kept between calls: 2 GiB, twice the attribution methods' default memory
    /// budget per chunk. A chunk sized to that budget needs about as much (its forward arrays plus the spare gradients
    /// its backward pass gives back), so at a 1 GiB cap a chunk that came close to the budget overflowed it and faulted
    /// its pages in again on every call.</summary>
    public const long DefaultMaxRetainedBytes = 2L << 30;

    /// <summary>The most bytes of free arrays this pool keeps (the cap given, or an eighth of the memory available
    /// to the process when that is less).</summary>
    public long MaxRetainedBytes { get; }

    /// <summary>Bytes of free arrays held now.</summary>
    public long RetainedBytes
    {
        get { lock (free) return retainedBytes; }
    }

    /// <summary>Makes this pool the source of new float storage on the calling thread until the scope is disposed
    /// (scopes nest: disposing restores the previous one).</summary>
    public Scope Enter() => current = new Scope(this, current);

    /// <summary>Whether a scope is open on the calling thread: a caller lends pass storage to the pass now running
    /// (inference, or a first-order recorded pass whose tape dies with it, as an attribution method's chunk).</summary>
    internal static bool InScope => current is not null;

    /// <summary>Until the returned value is disposed, new float storage on the calling thread is allocated afresh even
    /// inside an open scope (the scope resumes afterwards).</summary>
    internal static Suspension Suspend()
    {
        var suspended = current;
        current = null;
        return new Suspension(suspended);
    }

    /// <summary>A suspended scope, resumed on <see cref="Dispose"/>.</summary>
    internal readonly struct Suspension(Scope? suspended) : IDisposable
    {
        /// <summary>The pool of the suspended scope, or null: a backward pass may take its free arrays and give it the
        /// gradients that die in it (Autograd/GradientStorage), never the scope's own arrays.</summary>
        public StoragePool? Pool => suspended?.Pool;

        public void Dispose() => current = suspended;
    }

    /// <summary>Drops every free array.</summary>
    public void Clear()
    {
        lock (free)
        {
            free.Clear();
            retainedBytes = 0;
        }
    }

    /// <summary>A float array of exactly <paramref name="length"/> elements for a new tensor: from the calling
    /// thread's open scope when there is one, else freshly allocated. Zero-filled unless the caller will
    /// <paramref name="overwrite"/> every element.</summary>
    internal static float[] NewFloats(int length, bool overwrite) =>
        current is { } scope ? scope.Rent(length, overwrite)
        : overwrite ? GC.AllocateUninitializedArray<float>(length) : new float[length];

    /// <summary>A free array of exactly <paramref name="length"/> elements (contents undefined), or null.</summary>
    internal float[]? TryTake(int length)
    {
        lock (free)
        {
            if (!free.TryGetValue(length, out var stack) || stack.Count == 0) return null;
            retainedBytes -= (long)length * sizeof(float);
            return stack.Pop();
        }
    }

    /// <summary>The shortest free array of at least <paramref name="length"/> elements (contents undefined), or null:
    /// for scratch that its caller addresses by lengths of its own (a blocked chain's values, OnnxGraph.Blocked.cs),
    /// never for a tensor's storage, whose length is its size. Letting the longer arrays serve the shorter requests
    /// keeps one pass's arrays to about what is live at once rather than one of every length.</summary>
    internal float[]? TryTakeAtLeast(int length)
    {
        lock (free)
        {
            if (TakeShortest(free, length) is not { } array) return null;
            retainedBytes -= (long)array.Length * sizeof(float);
            return array;
        }
    }

    /// <summary>Pops the shortest array of at least <paramref name="length"/> elements from free lists keyed by length,
    /// or returns null (the best fit of <see cref="TryTakeAtLeast"/>, and of a caller's own lists of such scratch).</summary>
    internal static float[]? TakeShortest(Dictionary<int, Stack<float[]>> free, int length)
    {
        int best = -1;
        foreach (var (size, stack) in free)
            if (size >= length && stack.Count > 0 && (best < 0 || size < best)) best = size;
        return best < 0 ? null : free[best].Pop();
    }

    /// <summary>Keeps <paramref name="array"/>, which nothing reads any more, for a later request (unless over the cap).</summary>
    internal void Give(float[] array)
    {
        long bytes = (long)array.Length * sizeof(float);
        lock (free)
        {
            if (retainedBytes + bytes > MaxRetainedBytes) return;
            if (!free.TryGetValue(array.Length, out var stack)) free[array.Length] = stack = new Stack<float[]>();
            stack.Push(array);
            retainedBytes += bytes;
        }
    }

    /// <summary>One forward pass's use of a pool on one thread: the arrays it handed out, which alone it may take back.</summary>
    public sealed class Scope : IDisposable
    {
        private readonly StoragePool pool;
        private readonly Scope? previous;
        private readonly HashSet<float[]> handedOut = new(ReferenceEqualityComparer.Instance);
        private bool disposed;

        internal Scope(StoragePool pool, Scope? previous)
        {
            this.pool = pool;
            this.previous = previous;
        }

        internal StoragePool Pool => pool;

        /// <summary>Returns <paramref name="tensor"/>'s storage to the pool when this scope handed it out (a float
        /// tensor made by an op during this scope); the caller guarantees that nothing reads the tensor or any
        /// tensor sharing its storage again. Storage made read-only (<see cref="Tensor.MakeReadOnly"/>) is not taken
        /// back. Returns whether the storage was taken back.</summary>
        public bool Recycle(Tensor tensor)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            if (disposed || tensor.DType != DType.Float32 || !handedOut.Remove(tensor.Floats)) return false;
            if (Tensor.MarkOf(tensor.Floats) is not null) return false;         // made read-only: never written again
            pool.Give(tensor.Floats);
            return true;
        }

        /// <summary>Returns the storage of every float tensor this scope handed out and has not taken back, except
        /// arrays that a tensor of <paramref name="keep"/> uses. The caller guarantees that nothing reads any other
        /// of them again: it has dropped every tensor made in the scope (and their autograd tape), no hook or module
        /// kept one, and it copied what it keeps. Returns how many arrays went back.</summary>
        public int RecycleAll(params IReadOnlyList<Tensor> keep)
        {
            ArgumentNullException.ThrowIfNull(keep);
            if (disposed) return 0;
            foreach (var t in keep)
                if (t.DType == DType.Float32) handedOut.Remove(t.Floats);
            int count = 0;
            foreach (var array in handedOut)
                if (Tensor.MarkOf(array) is null) { pool.Give(array); count++; }   // read-only arrays are never written again
            handedOut.Clear();
            return count;
        }

        /// <summary>Restores the previous scope of this thread.</summary>
        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            handedOut.Clear();
            if (ReferenceEquals(current, this)) current = previous;
        }

        internal float[] Rent(int length, bool overwrite)
        {
            var array = disposed ? null : pool.TryTake(length);
            if (array is null) array = overwrite ? GC.AllocateUninitializedArray<float>(length) : new float[length];
            else if (!overwrite) Array.Clear(array);
            if (!disposed) handedOut.Add(array);
            return array;
        }
    }
}
