using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The backward pass of <see cref="PoolMaxPairs"/>' windows (2 or 3 columns at column stride 2, AVX-512) without an
/// index array: for sixteen windows at once, each tap in row-major order is compared with the output (NaN matching
/// NaN) and the windows not yet matched route their gradient to it — the tap's lanes are spread to its input columns
/// by a two-table permute and added to the input gradient's row in place. One pass over a plane's output rows
/// replaces the search for every window's first maximum, its stored offset and the scalar scatter that reads it.
/// </summary>
/// <remarks>dx[first maximum of window o] += dy[o] in the order of o, as the scatter over the offsets adds them, so
/// the sums are bitwise the same: within one output row a column is shared only by tap 2 of window s and tap 0 of
/// window s + 1, and tap 2's lanes are added first; rows of different output rows are added row after row. The
/// windows that the padding clips, and rows whose loads would pass the end of the input, go tap by tap
/// (<see cref="PoolMax.FirstMaximum"/>). Lanes of no window add +0, which leaves a sum that never starts at −0
/// unchanged.</remarks>
internal static class PoolMaxPairsGradient
{
    /// <summary>Whether the windows cover each plane with neither gap nor padding — 2×2 or 3×3 at stride 2, undilated,
    /// the last window ending on the last row and column (Tiny Darknet's and SqueezeNet's pools) — so that
    /// <see cref="Plane"/> writes every element of dx and dx need not be zeroed first (a dense pass that the backward
    /// would otherwise read back from memory): a row's first writer (window row 0 of output row 0, else the rows the
    /// previous output row's window does not share) stores +0 plus its lanes instead of adding to what it loads.</summary>
    public static bool Tiles(PoolGeometry g) =>
        PoolMaxPairs.Apply(g) && g.KernelHeight == g.KernelWidth && g.StrideH == 2 && g.DilationH == 1
        && g.PadTop == 0 && g.PadLeft == 0 && g.PadBottom == 0 && g.PadRight == 0
        && (g.InHeight - g.KernelHeight) % 2 == 0 && (g.InWidth - g.KernelWidth) % 2 == 0;

    /// <summary>dx += the gradient of one plane: <paramref name="input"/> is the plane and what follows it in the
    /// tensor, <paramref name="y"/> and <paramref name="dy"/> the plane's outputs and their gradient,
    /// <paramref name="dx"/> the plane's input gradient (overwritten where the windows <see cref="Tiles"/>, else added
    /// to); windows [<paramref name="first"/>, <paramref name="last"/>) of each row lie wholly inside the columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Plane(ReadOnlySpan<float> input, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx,
        (int Lo, int Hi)[] rows, (int Lo, int Hi)[] cols, PoolGeometry g, int first, int last)
    {
        int w = g.InWidth, ow = g.OutWidth, kw = g.KernelWidth, n = Math.Max(last - first, 0), c = 2 * first - g.PadLeft;
        int inPlane = g.InHeight * w;
        if (y.Length < rows.Length * ow || dy.Length < y.Length || dx.Length < inPlane || input.Length < inPlane)
            throw new ArgumentException($"PoolMaxPairsGradient.Plane: spans of {input.Length}, {y.Length}, {dy.Length} and {dx.Length} for a plane of {g.InHeight}×{w} → {rows.Length}×{ow}.");
        long reach = c + 2L * IntMath.RoundUp(n, PoolMaxPairs.Lanes) + 2;   // the floats a row's loads span from its column 0
        bool three = kw == 3, overwrite = Tiles(g);
        int full = n / PoolMaxPairs.Lanes * PoolMaxPairs.Lanes, rem = n - full;
        var lanes = Vector512<int>.Indices;
        var outputs = Vector512.LessThan(lanes, Vector512.Create(rem)).AsSingle();               // the last block's windows
        var loColumns = Vector512.LessThan(lanes, Vector512.Create(2 * rem + kw - 2)).AsSingle();   // and the columns they cover
        var hiColumns = Vector512.LessThan(lanes, Vector512.Create(2 * rem + kw - 2 - PoolMaxPairs.Lanes)).AsSingle();
        Span<Vector512<float>> carried = stackalloc Vector512<float>[3];   // per window row: tap 2 of the last window, in lane 0
        fixed (float* xs = input, ys = y, gs = dy, ds = dx)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                var (lo, hi) = rows[r];
                if (hi <= lo) continue;   // no tap inside: no gradient
                int row0 = r * g.StrideH - g.PadTop;
                long last0 = ((long)row0 + (long)(hi - 1) * g.DilationH) * w;
                bool vector = n > 0 && hi - lo <= 3 && c >= 0 && last0 + reach <= input.Length;
                int o = r * ow;
                int fresh = !overwrite ? int.MaxValue : r == 0 ? 0 : g.KernelHeight - 2;   // the window rows written first here
                if (overwrite && !vector) dx.Slice((row0 + fresh) * w, (g.KernelHeight - fresh) * w).Clear();   // then added to tap by tap
                for (int s = 0; s < ow; s++)
                {
                    if (vector && s == first)
                    {
                        carried.Clear();
                        // the last block may read and write its two vectors whole (adding +0 past its windows) when they stay in the plane
                        bool whole = !overwrite && last0 + c + 2L * full + 2 * PoolMaxPairs.Lanes <= inPlane;
                        for (int b = 0; b < n; b += PoolMaxPairs.Lanes)
                        {
                            bool partial = b == full;
                            var target = partial ? Avx512F.MaskLoad(ys + o + first + b, outputs, Vector512<float>.Zero) : Vector512.Load(ys + o + first + b);
                            var gradient = partial ? Avx512F.MaskLoad(gs + o + first + b, outputs, Vector512<float>.Zero) : Vector512.Load(gs + o + first + b);
                            Sixteen(xs, ds, row0, lo, hi, g, c + 2 * b, target, gradient, partial && !whole, b + PoolMaxPairs.Lanes < n ? 1 : partial ? 0 : -1,
                                loColumns, hiColumns, three, fresh, carried);
                        }
                        s = last - 1;
                        continue;
                    }
                    float dyo = gs[o + s];
                    int at = PoolMax.FirstMaximum(input, ys[o + s], rows[r], cols[s], row0, s * 2 - g.PadLeft, g);
                    if (at >= 0) ds[at] += dyo;
                }
            }
        }
    }

    /// <summary>Routes the gradient of the sixteen windows whose tap (i, 0) is at column <paramref name="col"/> + 2k
    /// of input row <paramref name="row0"/> + i·dh (i in [lo, hi)); the block touches only the
    /// input columns its windows cover when <paramref name="masked"/>. Tap 2 of the sixteenth window (column 32) goes
    /// to the block that follows (<paramref name="next"/> = 1) through <paramref name="carried"/>, added to its column 0
    /// first, not through a store that the next block's load would wait for; with no block after it (−1) to the row;
    /// a last block of fewer than sixteen windows (0) has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Sixteen(float* x, float* dx, int row0, int lo, int hi, PoolGeometry g, int col, Vector512<float> target,
        Vector512<float> gradient, bool masked, int next, Vector512<float> loColumns, Vector512<float> hiColumns, bool three, int fresh,
        Span<Vector512<float>> carried)
    {
        var nan = Vector512.IsNaN(target);
        bool anyNaN = !Vector512.EqualsAll(target, target);   // rare: the NaN test only then
        var remaining = gradient;   // the gradient of the windows not matched yet, +0 in the others
        for (int i = lo; i < hi; i++)
        {
            long at = (long)(row0 + i * g.DilationH) * g.InWidth + col;
            var (t0, t1, t2) = PoolMaxPairs.Taps(ref *x, (nuint)at, three);
            var g0 = Route(t0, target, nan, anyNaN, ref remaining);
            var g1 = Route(t1, target, nan, anyNaN, ref remaining);
            float* d = dx + at;
            // a row written first: +0 plus the taps' lanes, as the scatter adds them to a zeroed dx
            bool first = i >= fresh;
            var a = (first ? Vector512<float>.Zero : masked ? Avx512F.MaskLoad(d, loColumns, Vector512<float>.Zero) : Vector512.Load(d)) + carried[i - lo];
            var b = first ? Vector512<float>.Zero : masked ? Avx512F.MaskLoad(d + PoolMaxPairs.Lanes, hiColumns, Vector512<float>.Zero) : Vector512.Load(d + PoolMaxPairs.Lanes);
            if (three)
            {
                // tap 2 of window k is column 2k + 2: before tap 0 of window k + 1 at the same column
                var g2 = Route(t2, target, nan, anyNaN, ref remaining);
                var zero = Vector512<float>.Zero;
                a += Avx512F.PermuteVar16x32x2(g2, Vector512.Create(16, 16, 0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16), zero);
                b += Avx512F.PermuteVar16x32x2(g2, Vector512.Create(7, 16, 8, 16, 9, 16, 10, 16, 11, 16, 12, 16, 13, 16, 14, 16), zero);
                if (next > 0) carried[i - lo] = Avx512F.PermuteVar16x32x2(g2, Vector512.Create(15, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16), zero);
                else if (next < 0) d[2 * PoolMaxPairs.Lanes] = (first ? 0f : d[2 * PoolMaxPairs.Lanes]) + g2.GetElement(PoolMaxPairs.Lanes - 1);   // window 15's tap 2, column 32
            }
            a += Avx512F.PermuteVar16x32x2(g0, Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), g1);
            b += Avx512F.PermuteVar16x32x2(g0, Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), g1);
            if (masked)
            {
                Avx512F.MaskStore(d, loColumns, a);
                Avx512F.MaskStore(d + PoolMaxPairs.Lanes, hiColumns, b);
            }
            else
            {
                a.Store(d);
                b.Store(d + PoolMaxPairs.Lanes);
            }
        }
    }

    /// <summary>The gradient of the windows not matched yet whose tap equals the target (or both are NaN), +0 in the
    /// other lanes; those windows are matched from here on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Route(Vector512<float> tap, Vector512<float> target, Vector512<float> nan, bool anyNaN, ref Vector512<float> remaining)
    {
        var hit = anyNaN ? Vector512.Equals(tap, target) | (Vector512.IsNaN(tap) & nan) : Vector512.Equals(tap, target);
        var routed = Vector512.ConditionalSelect(hit, remaining, Vector512<float>.Zero);
        remaining = Vector512.ConditionalSelect(hit, Vector512<float>.Zero, remaining);
        return routed;
    }
}
