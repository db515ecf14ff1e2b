using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Convolution weights packed once per model instead of once per call, kept for weights whose storage is read-only
/// (<see cref="Tensor.MakeReadOnly"/>, as a loaded ONNX model's initializers are): each group's op(W) in the GEMM's
/// A-panel layout (<see cref="GemmPackedA"/>), or Wᵀ as the B operand in its panel layout for the transposed pointwise
/// product (<see cref="GetB"/>). ONNX Runtime likewise packs a session's weights once.
/// </summary>
/// <remarks>
/// A packing is kept on the storage's <see cref="ReadOnlyMark"/>, so it dies with the weights, and
/// <see cref="Tensor.MakeWritable"/>, which drops the mark, invalidates it: a later read-only spell gets a new mark and
/// packs afresh, and a caller still holding panels of the old mark keeps valid (unpooled) memory. Writable weights
/// are never kept (anyone may write them through <see cref="Tensor.AsSpan"/> between calls). Thread-safe: lookups
/// take no lock; two threads that both miss pack twice and the first one's packing is kept. Bounded: kept packings
/// hold at most <see cref="MaxBytes"/> in all (about the weights' own size each, rows rounded up to the
/// micro-kernel's MR or columns to its NR); past that, weights are packed per call as before. The panels are those the
/// GEMM driver packs per call, so results are bitwise those of packing per call.
/// </remarks>
internal static unsafe class PackedWeights
{
    /// <summary>The default bound on the bytes of all kept packings: 1 GiB (MobileNetV2's weights are 14 MB).</summary>
    public const long DefaultMaxBytes = 1L << 30;

    private const int Alignment = 64;

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
    public static GemmPackedA[]? Get(float[] w, int groups, int m, int k, bool transposed) =>
        (GemmPackedA[]?)Kept(w, new Key(false, groups, m, k, transposed));

    /// <summary>op(B) = Wᵀ of the n×k weights W, as <see cref="Gemm.MultiplyPackedB"/> takes it on
    /// <see cref="Gemm.BestPath"/> (64-byte aligned, <see cref="Gemm.PanelShapeB"/>), kept between calls when
    /// <paramref name="w"/> is read-only; null when it is writable or the bound is reached.</summary>
    public static ReadOnlyMemory<float>? GetB(float[] w, int n, int k) =>
        (ReadOnlyMemory<float>?)Kept(w, new Key(true, 1, n, k, true));

    /// <summary>The <paramref name="positions"/> m×k matrices of 3×3 weights W [m, k, 3, 3] transformed for Winograd's
    /// F(<paramref name="tile"/>×<paramref name="tile"/>, 3×3) (<see cref="WinogradWeights"/>), each packed as A for
    /// <see cref="Gemm.BestPath"/>, kept between calls when <paramref name="w"/> is read-only (key kind of its own,
    /// counted in <see cref="MaxBytes"/>, dropped with the read-only mark); null when it is writable or the bound is
    /// reached. <paramref name="transform"/> makes them (kept: true) on a miss. <paramref name="flipped"/>: the
    /// transformed weights of the input gradient (W [k, m, 3, 3] transposed and turned by 180°), a key of their own.</summary>
    public static GemmPackedA[]? GetTransformed(float[] w, int tile, int positions, int m, int k, Func<GemmPackedA[]> transform, bool flipped = false)
    {
        if ((long)m * k * 9 > w.LongLength) return null;
        return (GemmPackedA[]?)Kept(w, new Key(false, positions, m, k, flipped, tile), transform);
    }

    private static object? Kept(float[] w, Key key, Func<GemmPackedA[]>? transform = null)
    {
        if (Tensor.MarkOf(w) is not { } mark || (key.Transform == 0 && (long)key.Groups * key.Rows * key.Depth > w.LongLength)) return null;
        if (Find(mark, key) is { } found) return found.Value;
        var entry = Pack(w, key, transform);
        if (entry is null) return null;
        lock (mark)
        {
            if (Find(mark, key) is { } raced) { entry.Release(); return raced.Value; }
            var entries = mark.Derived as Entry[] ?? [];
            Volatile.Write(ref mark.Derived, (Entry[])[.. entries, entry]);
        }
        return entry.Value;
    }

    private static Entry? Find(ReadOnlyMark mark, Key key)
    {
        if (Volatile.Read(ref mark.Derived) is Entry[] entries)
            foreach (var entry in entries)
                if (entry.Key == key) return entry;
        return null;
    }

    /// <summary>Packs the weights as <paramref name="key"/> says, or null (nothing held) when that would pass
    /// <see cref="MaxBytes"/>.</summary>
    private static Entry? Pack(float[] w, Key key, Func<GemmPackedA[]>? transform)
    {
        var path = Gemm.BestPath;
        long floats = key.OperandB
            ? (long)key.Depth * RoundUp(key.Rows, Gemm.TileShape(path).Nr) + Alignment / sizeof(float)
            : (long)key.Groups * RoundUp(key.Rows, Gemm.TileShape(path).Mr) * key.Depth;
        long bytes = floats * sizeof(float);
        if (Interlocked.Add(ref heldBytes, bytes) > MaxBytes)
        {
            Interlocked.Add(ref heldBytes, -bytes);
            return null;
        }
        object value;
        try { value = key.OperandB ? PackB(w, key.Rows, key.Depth, path) : transform is not null ? transform() : PackA(w, key); }
        catch
        {
            Interlocked.Add(ref heldBytes, -bytes);
            throw;
        }
        return new Entry(key, value, bytes);
    }

    private static GemmPackedA[] PackA(float[] w, Key key)
    {
        var groups = new GemmPackedA[key.Groups];
        int size = key.Rows * key.Depth;
        for (int group = 0; group < key.Groups; group++)
            groups[group] = GemmPackedA.Pack(w.AsSpan(group * size, size), key.Rows, key.Depth, key.Transposed, GemmPath.Auto, Parallelism.MaxDegree, kept: true);
        return groups;
    }

    /// <summary>Wᵀ (W n×k) in the driver's B panels: depth block [pc, pc + kc) at pc·⌈n⌉ (n rounded up to NR), the
    /// panel of columns [j, j + NR) at j·kc within it, as <see cref="GemmPacking.PackB"/> packs each block per call.</summary>
    private static ReadOnlyMemory<float> PackB(float[] w, int n, int k, GemmPath path)
    {
        var (depthBlock, nr) = Gemm.PanelShapeB(path, k);
        int padded = RoundUp(n, nr), length = checked(k * padded);
        var data = GC.AllocateUninitializedArray<float>(length + Alignment / sizeof(float), pinned: true);
        fixed (float* pw = w, pd = data)
        {
            int offset = (int)((Alignment - ((nint)pd & (Alignment - 1))) & (Alignment - 1)) / sizeof(float);
            for (int pc = 0; pc < k; pc += depthBlock)
                GemmPacking.PackB(pw + pc, k, trans: true, Math.Min(depthBlock, k - pc), n, nr, pd + offset + (nint)pc * padded);
            return new ReadOnlyMemory<float>(data, offset, length);
        }
    }

    /// <summary>What was packed: A (each group's Rows×Depth op(W)) or B (Wᵀ of the Rows×Depth W); with a
    /// <paramref name="Transform"/> (Winograd's output tile side), the Groups transformed positions' A.</summary>
    private readonly record struct Key(bool OperandB, int Groups, int Rows, int Depth, bool Transposed, int Transform = 0);

    /// <summary>One kept packing; gives its bytes back to the bound when released or finalized.</summary>
    private sealed class Entry(Key key, object value, long bytes)
    {
        private long held = bytes;

        public Key Key { get; } = key;

        public object Value { get; } = value;

        public void Release()
        {
            Interlocked.Add(ref heldBytes, -Interlocked.Exchange(ref held, 0));
            GC.SuppressFinalize(this);
        }

        ~Entry() => Interlocked.Add(ref heldBytes, -Interlocked.Exchange(ref held, 0));
    }
}
