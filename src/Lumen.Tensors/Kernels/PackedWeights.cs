namespace Lumen.Tensors.Kernels;

/// <summary>
/// Convolution weights packed once per model instead of once per call: each group's op(W) in the GEMM's A-panel
/// layout (<see cref="GemmPackedA"/>), kept for weights whose storage is read-only (<see cref="Tensor.MakeReadOnly"/>,
/// as a loaded ONNX model's initializers are). ONNX Runtime likewise packs a session's weights once.
/// </summary>
/// <remarks>
/// A packing is kept on the storage's <see cref="ReadOnlyMark"/>, so it dies with the weights, and
/// <see cref="Tensor.MakeWritable"/>, which drops the mark, invalidates it: a later read-only spell gets a new mark and
/// packs afresh, and a caller still holding packed panels of the old mark keeps valid (unpooled) memory. Writable
/// weights are never kept (anyone may write them through <see cref="Tensor.AsSpan"/> between calls). Thread-safe:
/// lookups take no lock; two threads that both miss pack twice and the first one's packing is kept. Bounded: kept
/// packings hold at most <see cref="MaxBytes"/> in all (about the weights' own size each, rows rounded up to the
/// micro-kernel's MR); past that, weights are packed per call as before. The panels are those
/// <see cref="GemmPackedA.Pack"/> writes, so results are bitwise those of packing per call.
/// </remarks>
internal static class PackedWeights
{
    /// <summary>The default bound on the bytes of all kept packings: 1 GiB (MobileNetV2's weights are 14 MB).</summary>
    public const long DefaultMaxBytes = 1L << 30;

    private static long heldBytes;

    /// <summary>The most bytes that kept packings may hold in all; later weights are packed per call.</summary>
    public static long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>Bytes held by kept packings now (a packing whose weights died or became writable counts until the
    /// garbage collector finalizes it).</summary>
    public static long HeldBytes => Interlocked.Read(ref heldBytes);

    /// <summary>Each of the <paramref name="groups"/> groups' op(W) — the m×k matrix W_g, or W_gᵀ when
    /// <paramref name="transposed"/> (W_g stored k×m) — packed for <see cref="Gemm.BestPath"/>, kept between calls,
    /// when <paramref name="w"/> is read-only; null when it is writable or the bound is reached (pack per call).
    /// The packings are <see cref="GemmPackedA.Kept"/>: releasing them does nothing.</summary>
    public static GemmPackedA[]? Get(float[] w, int groups, int m, int k, bool transposed)
    {
        if (Tensor.MarkOf(w) is not { } mark || (long)groups * m * k > w.LongLength) return null;
        var key = new Key(groups, m, k, transposed);
        if (Find(mark, key) is { } found) return found.Groups;
        var entry = Pack(w, key);
        if (entry is null) return null;
        lock (mark)
        {
            if (Find(mark, key) is { } raced) { entry.Release(); return raced.Groups; }
            var entries = mark.Derived as Entry[] ?? [];
            Volatile.Write(ref mark.Derived, (Entry[])[.. entries, entry]);
        }
        return entry.Groups;
    }

    private static Entry? Find(ReadOnlyMark mark, Key key)
    {
        if (Volatile.Read(ref mark.Derived) is Entry[] entries)
            foreach (var entry in entries)
                if (entry.Key == key) return entry;
        return null;
    }

    /// <summary>Packs every group, or null (nothing held) when that would pass <see cref="MaxBytes"/>.</summary>
    private static Entry? Pack(float[] w, Key key)
    {
        int mr = Gemm.TileShape(Gemm.BestPath).Mr;
        long bytes = (long)key.Groups * ((key.M + mr - 1) / mr * mr) * key.K * sizeof(float);
        if (Interlocked.Add(ref heldBytes, bytes) > MaxBytes)
        {
            Interlocked.Add(ref heldBytes, -bytes);
            return null;
        }
        var groups = new GemmPackedA[key.Groups];
        int size = key.M * key.K;
        for (int group = 0; group < key.Groups; group++)
            groups[group] = GemmPackedA.Pack(w.AsSpan(group * size, size), key.M, key.K, key.Transposed, GemmPath.Auto, Parallelism.MaxDegree, kept: true);
        return new Entry(key, groups, bytes);
    }

    private readonly record struct Key(int Groups, int M, int K, bool Transposed);

    /// <summary>One kept packing; gives its bytes back to the bound when released or finalized.</summary>
    private sealed class Entry(Key key, GemmPackedA[] groups, long bytes)
    {
        private long held = bytes;

        public Key Key { get; } = key;

        public GemmPackedA[] Groups { get; } = groups;

        public void Release()
        {
            Interlocked.Add(ref heldBytes, -Interlocked.Exchange(ref held, 0));
            GC.SuppressFinalize(this);
        }

        ~Entry() => Interlocked.Add(ref heldBytes, -Interlocked.Exchange(ref held, 0));
    }
}
