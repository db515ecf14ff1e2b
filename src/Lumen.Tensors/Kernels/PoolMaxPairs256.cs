using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// <see cref="PoolMaxPairs.Rows"/> on AVX2 machines: the windows of 2 or 3 columns at column stride 2 that lie wholly
/// inside the row, eight at a time straight from the input rows. The column maxima of 16 consecutive columns (over the
/// window's one to three rows, in row order) are two vectors; their even lanes are tap 0, their odd lanes tap 1
/// (<c>vpermps</c> in each vector, then the two low halves joined), and the odd lanes of the column maxima one column
/// further tap 2. The last 1–7 windows of a row are reduced one by one in the same order. Every load stays within the
/// windows' own columns, and each value is the same <see cref="PoolMax.Max(float, float)"/> reductions in the same
/// order as the row-buffer path: bitwise its result.
/// </summary>
internal static class PoolMaxPairs256
{
    /// <summary>Outputs per vector.</summary>
    private const int Lanes = 8;

    /// <summary>Whether this path applies: column stride 2, 2 or 3 undilated columns, AVX2 (and no AVX-512, whose
    /// <see cref="PoolMaxPairs"/> takes these pools there).</summary>
    public static bool Apply(PoolGeometry g) =>
        g.StrideW == 2 && g.DilationW == 1 && g.KernelWidth is 2 or 3 && Avx2.IsSupported && !PoolMaxPairs.Apply(g);

    /// <summary>As <see cref="PoolMaxPairs.Rows"/>: output[r·OW + s] for s in [<paramref name="first"/>,
    /// <paramref name="last"/>) of each output row whose window has one to three rows inside the input (rows with none
    /// are left to the caller); returns the output rows done, all of them or none when a window has more rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int Rows(ReadOnlySpan<float> input, Span<float> output, (int Lo, int Hi)[] rows, PoolGeometry g, int first, int last)
    {
        int n = last - first, c = 2 * first - g.PadLeft, w = g.InWidth, ow = g.OutWidth;
        if (n <= 0 || c < 0 || g.KernelHeight > 3) return 0;
        if ((long)rows.Length * ow > output.Length) throw new ArgumentException($"PoolMaxPairs256.Rows: {rows.Length} rows of {ow} outputs overrun the {output.Length} outputs.");
        long step = (long)g.DilationH * w;
        int full = n / Lanes * Lanes;
        bool three = g.KernelWidth == 3;
        var evenFirst = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);   // even lanes to the low half, odd ones to the high
        fixed (float* xs = input, ys = output)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                var (lo, hi) = rows[r];
                int count = hi - lo;
                if (count <= 0) continue;
                long row0 = ((long)r * g.StrideH - g.PadTop + (long)lo * g.DilationH) * w;
                if (row0 + (count - 1) * step + c + 2L * n + (three ? 1 : 0) > input.Length)
                    throw new ArgumentException($"PoolMaxPairs256.Rows: output row {r}'s windows read past the {input.Length} input floats.");
                float* top = xs + row0 + c;
                float* middle = count > 1 ? top + step : null, bottom = count > 2 ? top + 2 * step : null;
                float* o = ys + (long)r * ow + first;
                int s = 0;
                for (; s < full; s += Lanes)
                {
                    // columns [2s, 2s + 16): tap 0 in the even lanes, tap 1 in the odd ones
                    var a = Avx2.PermuteVar8x32(Maxima(top, middle, bottom, 2 * s), evenFirst);
                    var b = Avx2.PermuteVar8x32(Maxima(top, middle, bottom, 2 * s + Lanes), evenFirst);
                    var m = PoolMax.Max(Avx.Permute2x128(a, b, 0x20), Avx.Permute2x128(a, b, 0x31));
                    if (three)
                    {
                        // columns [2s + 1, 2s + 17): tap 2 in the odd lanes
                        var a2 = Avx2.PermuteVar8x32(Maxima(top, middle, bottom, 2 * s + 1), evenFirst);
                        var b2 = Avx2.PermuteVar8x32(Maxima(top, middle, bottom, 2 * s + 1 + Lanes), evenFirst);
                        m = PoolMax.Max(m, Avx.Permute2x128(a2, b2, 0x31));
                    }
                    m.Store(o + s);
                }
                for (; s < n; s++)
                {
                    float m = PoolMax.Max(ColumnMax(top, middle, bottom, 2 * s), ColumnMax(top, middle, bottom, 2 * s + 1));
                    o[s] = three ? PoolMax.Max(m, ColumnMax(top, middle, bottom, 2 * s + 2)) : m;
                }
            }
        }
        return rows.Length;
    }

    /// <summary>The column maxima of columns [at, at + 8) over the window's rows, in row order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Maxima(float* top, float* middle, float* bottom, int at)
    {
        var m = Vector256.Load(top + at);
        if (middle != null) m = PoolMax.Max(m, Vector256.Load(middle + at));
        if (bottom != null) m = PoolMax.Max(m, Vector256.Load(bottom + at));
        return m;
    }

    /// <summary>The maximum of column <paramref name="at"/> over the window's rows, in row order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float ColumnMax(float* top, float* middle, float* bottom, int at)
    {
        float m = top[at];
        if (middle != null) m = PoolMax.Max(m, middle[at]);
        if (bottom != null) m = PoolMax.Max(m, bottom[at]);
        return m;
    }
}
