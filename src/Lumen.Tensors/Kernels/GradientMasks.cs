using System.Numerics;
using System.Runtime.CompilerServices;

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
    public static void Clamp(ReadOnlySpan<float> x, ReadOnlySpan<float> g, float lo, float hi, Span<float> d)
    {
        Check(x, g, d);
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
    public static void Positive(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        Check(x, g, d);
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

    private static void Check(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        if (g.Length != x.Length || d.Length != x.Length)
            throw new ArgumentException($"GradientMasks: lengths differ (x {x.Length}, gradient {g.Length}, destination {d.Length}).");
    }
}
