using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Fused backward passes of the piecewise-linear activations: the incoming gradient where the input lies inside
/// the linear piece, else 0, in one pass with no intermediate mask tensors. (The composite form, comparisons →
/// And → Where, made three full-size temporaries per ReLU6 in every backward pass of MobileNetV2.)
/// </summary>
/// <remarks>Clamp: dx = g · [lo ≤ x ≤ hi]; ReLU: dx = g · [x &gt; 0]. A NaN input gets gradient 0 (it is inside no
/// piece), as with the composite comparisons. Compiled optimized from the first call: they run once per block of
/// 16,384 values, and tiered compilation left them in tier-0 and on-stack-replaced code through the first calls of an
/// attribution (two or three versions of each in a profile).</remarks>
internal static class GradientMasks
{
    /// <summary>d[i] = lo ≤ x[i] ≤ hi ? g[i] : 0 (either bound may be infinite).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Clamp(ReadOnlySpan<float> x, ReadOnlySpan<float> g, float lo, float hi, Span<float> d)
    {
        Check(x, g, d);
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            fixed (float* xs = x, gs = g, ds = d) Clamp512(xs, gs, lo, hi, ds, x.Length);
            return;
        }
        int i = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var vlo = new Vector<float>(lo);
            var vhi = new Vector<float>(hi);
            for (; i <= x.Length - width; i += width)
            {
                var vx = new Vector<float>(x[i..]);
                var inside = Vector.BitwiseAnd(Vector.GreaterThanOrEqual(vx, vlo), Vector.LessThanOrEqual(vx, vhi));
                Vector.BitwiseAnd(new Vector<float>(g[i..]), inside.As<int, float>()).CopyTo(d[i..]);
            }
        }
        for (; i < x.Length; i++) d[i] = x[i] >= lo && x[i] <= hi ? g[i] : 0f;
    }

    /// <summary>d[i] = x[i] &gt; 0 ? g[i] : 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Positive(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        Check(x, g, d);
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            // x > 0 ⟺ ε ≤ x ≤ +∞ (the least positive float; NaN and ±0 excluded either way)
            fixed (float* xs = x, gs = g, ds = d) Clamp512(xs, gs, float.Epsilon, float.PositiveInfinity, ds, x.Length);
            return;
        }
        int i = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - width; i += width)
            {
                var positive = Vector.GreaterThan(new Vector<float>(x[i..]), Vector<float>.Zero);
                Vector.BitwiseAnd(new Vector<float>(g[i..]), positive.As<int, float>()).CopyTo(d[i..]);
            }
        }
        for (; i < x.Length; i++) d[i] = x[i] > 0f ? g[i] : 0f;
    }

    /// <summary>The AVX-512 form of <see cref="Clamp"/>: 64 values a step in four independent vectors, the last
    /// 1–15 values through masked loads and a masked store (no scalar tail: a 7×7 plane is 49 values). g passes where
    /// inside by a bitwise and with the compare mask, so it keeps its bits (−0, NaN payloads) and the rest is +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Clamp512(float* x, float* g, float lo, float hi, float* d, int n)
    {
        var vlo = Vector512.Create(lo);
        var vhi = Vector512.Create(hi);
        nint i = 0;
        for (; i <= n - 64; i += 64)
        {
            Vector512<float> x0 = Vector512.Load(x + i), x1 = Vector512.Load(x + i + 16), x2 = Vector512.Load(x + i + 32), x3 = Vector512.Load(x + i + 48);
            Vector512.Store(Vector512.Load(g + i) & Inside(x0, vlo, vhi), d + i);
            Vector512.Store(Vector512.Load(g + i + 16) & Inside(x1, vlo, vhi), d + i + 16);
            Vector512.Store(Vector512.Load(g + i + 32) & Inside(x2, vlo, vhi), d + i + 32);
            Vector512.Store(Vector512.Load(g + i + 48) & Inside(x3, vlo, vhi), d + i + 48);
        }
        for (; i <= n - 16; i += 16)
            Vector512.Store(Vector512.Load(g + i) & Inside(Vector512.Load(x + i), vlo, vhi), d + i);
        if (i < n)
        {
            var lanes = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create((int)(n - i))).AsSingle();
            var vx = Avx512F.MaskLoad(x + i, lanes, Vector512<float>.Zero);
            Avx512F.MaskStore(d + i, lanes, Avx512F.MaskLoad(g + i, lanes, Vector512<float>.Zero) & Inside(vx, vlo, vhi));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Inside(Vector512<float> x, Vector512<float> lo, Vector512<float> hi) =>
        Vector512.GreaterThanOrEqual(x, lo) & Vector512.LessThanOrEqual(x, hi);

    private static void Check(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        if (g.Length != x.Length || d.Length != x.Length)
            throw new ArgumentException($"GradientMasks: lengths differ (x {x.Length}, gradient {g.Length}, destination {d.Length}).");
    }
}
