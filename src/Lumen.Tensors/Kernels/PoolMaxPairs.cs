using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The AVX-512 paths of <see cref="PoolMax"/> for windows of 2 or 3 columns at column stride 2 (SqueezeNet's 3×3/2,
/// the 2×2/2 of Tiny Darknet and VGG-style nets): sixteen consecutive outputs read 32 consecutive inputs, which two
/// loads and a two-table permute (<c>vpermt2ps</c>) split into the even lanes (tap 0), the odd
/// lanes (tap 1) and, from loads one further, tap 2. The forward pass takes the maxima (<see cref="Rows"/> straight from
/// the input rows, <see cref="Maxima"/> from a row buffer); <see cref="PoolMaxPairsGradient"/> is the backward pass.
/// </summary>
/// <remarks>Only windows that lie wholly inside the row (columns [c + 2s, c + 2s + kw)) come here. <see cref="PoolNaive.Max"/>
/// is the oracle.</remarks>
internal static class PoolMaxPairs
{
    /// <summary>Outputs per vector.</summary>
    public const int Lanes = 16;

    /// <summary>Floats of readable slack that a row buffer passed to <see cref="Maxima"/> keeps past the row.</summary>
    public const int Slack = 2 * Lanes;

    /// <summary>Whether these paths apply: column stride 2, 2 or 3 undilated columns, AVX-512.</summary>
    public static bool Apply(PoolGeometry g) =>
        g.StrideW == 2 && g.DilationW == 1 && g.KernelWidth is 2 or 3 && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    // a property that the JIT does not inline (a call returning the vector through memory): read it outside loops
    internal static Vector512<int> Even => Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>Taps 0, 1 and (kw = 3) 2 of sixteen windows starting at <paramref name="at"/>, 2 apart: lanes
    /// <c>at + 2k + j</c>. Tap 2 comes from the odd lanes of loads one further, so no load reaches past
    /// <c>at + 32</c>, the last tap of the sixteenth window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<float> T0, Vector512<float> T1, Vector512<float> T2) Taps(ref float row, nuint at, bool three)
    {
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);   // constants, not Even (a call)
        var odd = even + Vector512<int>.One;
        var a = Vector512.LoadUnsafe(ref row, at);
        var b = Vector512.LoadUnsafe(ref row, at + Lanes);
        var t2 = three ? Avx512F.PermuteVar16x32x2(Vector512.LoadUnsafe(ref row, at + 1), odd, Vector512.LoadUnsafe(ref row, at + Lanes + 1)) : default;
        return (Avx512F.PermuteVar16x32x2(a, even, b), Avx512F.PermuteVar16x32x2(a, odd, b), t2);
    }

    /// <summary>output[s] = max(line[c + 2s], line[c + 2s + 1][, line[c + 2s + 2]]) in tap order (see
    /// <see cref="PoolMax.Max(float, float)"/>). Fewer than sixteen outputs go through a register-sized scratch, reading
    /// into the row's <see cref="Slack"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Maxima(float[] line, int c, int kw, Span<float> output)
    {
        int n = output.Length;
        if (n == 0) return;
        ref float l = ref MemoryMarshal.GetArrayDataReference(line);
        bool three = kw == 3;
        if (n < Lanes)
        {
            Span<float> few = stackalloc float[Lanes];
            Sixteen(ref l, c, three).StoreUnsafe(ref MemoryMarshal.GetReference(few));
            few[..n].CopyTo(output);
            return;
        }
        ref float o = ref MemoryMarshal.GetReference(output);
        for (int s = 0; ; s += Lanes)
        {
            s = Math.Min(s, n - Lanes);
            Sixteen(ref l, c + 2 * s, three).StoreUnsafe(ref o, (nuint)s);
            if (s == n - Lanes) return;
        }
    }

    /// <summary>The same maxima straight from the input rows, for every output row of one plane whose window has one to
    /// three rows inside the input: output[r·OW + s] for s in [<paramref name="first"/>, <paramref name="last"/>), the
    /// windows wholly inside the columns, as <see cref="PoolMax"/>'s row maxima (over the window rows, in order) and
    /// then <see cref="Maxima"/> (over the columns, in order) take them — bitwise, with neither a row buffer's stores
    /// and reloads nor a second pass, and with no per-row call. Sixteen windows read the column maxima of columns
    /// [c + 2s, c + 2s + 32) as two vectors; tap 2 of the sixteenth window (kw = 3) is column c + 2s + 32, the first
    /// lane of the next block's first vector, which is carried over, or, where no block follows, the last lane of the
    /// column maxima ending at that column. The last 1–15 windows of a row take one more block from the carried vector
    /// and the next (tap 2 two lanes on in the same two vectors), stored under a mask; their loads may reach past the
    /// row, into the next, for lanes no output reads, but never past <paramref name="input"/> (the plane and what
    /// follows it in the tensor).
    /// Rows whose window has no row inside are skipped (the caller fills them). Returns the number of output rows
    /// done: all of them, or those before the first whose window has more than three rows or whose loads would pass
    /// the end of <paramref name="input"/> (the caller takes the row buffer's path from there).</summary>
    /// <remarks>Against one call per row that overlaps a last block of sixteen, this takes (isolated, one thread)
    /// about half the time of SqueezeNet's 3×3/2 pools of 55 and 27 columns: two vectors of column maxima fewer a
    /// row, and rows of fewer than sixteen windows no longer go through the row buffer.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int Rows(ReadOnlySpan<float> input, Span<float> output, (int Lo, int Hi)[] rows, PoolGeometry g, int first, int last)
    {
        int n = last - first, c = 2 * first - g.PadLeft, w = g.InWidth, ow = g.OutWidth;
        if (n <= 0 || c < 0 || g.KernelHeight > 3) return 0;
        if ((long)rows.Length * ow > output.Length) throw new ArgumentException($"PoolMaxPairs.Rows: {rows.Length} rows of {ow} outputs overrun the {output.Length} outputs.");
        long reach = c + 2L * IntMath.RoundUp(n, Lanes) + 1;   // the floats a row's loads span from its column 0
        long step = (long)g.DilationH * w;
        int full = n / Lanes * Lanes;
        bool three = g.KernelWidth == 3;
        var even = Even;
        var odd = even + Vector512<int>.One;
        var after = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);   // lanes 1…15 of the first table, then lane 0 of the second
        var ending = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 31);  // lanes 1…15, then lane 15 of the second
        var shifted = Vector512.Create(2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 31);   // tap 2 of the last block (lane 15 unused)
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n - full)).AsSingle();
        fixed (float* xs = input, ys = output)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                var (lo, hi) = rows[r];
                int count = hi - lo;
                if (count <= 0) continue;
                long row0 = ((long)r * g.StrideH - g.PadTop + (long)lo * g.DilationH) * w;
                if (row0 + (count - 1) * step + reach > input.Length) return r;
                var window = new Window(xs + row0 + c, count > 1 ? xs + row0 + c + step : null, count > 2 ? xs + row0 + c + 2 * step : null);
                float* o = ys + (long)r * ow + first;
                var a = window.Maxima(0);
                for (int s = 0; s < full; s += Lanes)
                {
                    bool carried = s + Lanes < n;   // a block (full or not) starts at column 2s + 32
                    var b = window.Maxima(2 * s + Lanes);
                    var following = carried ? window.Maxima(2 * s + 2 * Lanes) : three ? window.Maxima(2 * s + Lanes + 1) : default;
                    Sixteen(a, b, following, even, odd, carried ? after : ending, three).Store(o + s);
                    a = following;
                }
                if (full < n)
                {
                    var b = window.Maxima(2 * full + Lanes);
                    var m = PoolMax.Max(Avx512F.PermuteVar16x32x2(a, even, b), Avx512F.PermuteVar16x32x2(a, odd, b));
                    if (three) m = PoolMax.Max(m, Avx512F.PermuteVar16x32x2(a, shifted, b));
                    Avx512F.MaskStore(o + full, mask, m);
                }
            }
        }
        return rows.Length;
    }

    /// <summary>The one to three input rows of a window (null past its last), read in order: the column maxima of
    /// sixteen columns, as <see cref="PoolMax"/>'s row maxima take them.</summary>
    private readonly unsafe struct Window(float* first, float* second, float* third)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Maxima(int at)
        {
            var m = Vector512.Load(first + at);
            if (second != null) m = PoolMax.Max(m, Vector512.Load(second + at));
            if (third != null) m = PoolMax.Max(m, Vector512.Load(third + at));
            return m;
        }
    }

    /// <summary>The maxima of sixteen windows from the column maxima of their columns: <paramref name="a"/> and
    /// <paramref name="b"/> hold columns [0, 32), and <paramref name="third"/> (kw = 3) the last window's column 32 in the
    /// lane that <paramref name="shift"/> picks after lanes 1…15 of tap 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sixteen(Vector512<float> a, Vector512<float> b, Vector512<float> third, Vector512<int> even, Vector512<int> odd,
        Vector512<int> shift, bool three)
    {
        var t0 = Avx512F.PermuteVar16x32x2(a, even, b);
        var m = PoolMax.Max(t0, Avx512F.PermuteVar16x32x2(a, odd, b));
        return three ? PoolMax.Max(m, Avx512F.PermuteVar16x32x2(t0, shift, third)) : m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sixteen(ref float line, int at, bool three)
    {
        var (t0, t1, t2) = Taps(ref line, (nuint)at, three);
        var m = PoolMax.Max(t0, t1);
        return three ? PoolMax.Max(m, t2) : m;
    }
}
