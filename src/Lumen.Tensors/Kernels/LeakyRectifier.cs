using System.Numerics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Leaky ReLU and its backward pass, each one fused SIMD pass (the composite form — a comparison, a product and a
/// select — made two full-size temporaries per activation, and every layer of Darknet-style models has one).
/// </summary>
/// <remarks>y = x for x &gt; 0, αx otherwise (NaN stays NaN); dx = g for x &gt; 0, αg otherwise (Maas et al. 2013,
/// "Rectifier Nonlinearities Improve Neural Network Acoustic Models").</remarks>
internal static class LeakyRectifier
{
    /// <summary>d[i] = x[i] &gt; 0 ? x[i] : α·x[i].</summary>
    public static void Forward(ReadOnlySpan<float> x, float alpha, Span<float> d) => Select(x, x, alpha, d);

    /// <summary>d[i] = x[i] &gt; 0 ? g[i] : α·g[i].</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, float alpha, Span<float> d) => Select(x, g, alpha, d);

    // d = x > 0 ? v : α·v
    private static void Select(ReadOnlySpan<float> x, ReadOnlySpan<float> v, float alpha, Span<float> d)
    {
        if (v.Length != x.Length || d.Length != x.Length)
            throw new ArgumentException($"LeakyRectifier: lengths differ (x {x.Length}, values {v.Length}, destination {d.Length}).");
        int i = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var slope = new Vector<float>(alpha);
            for (; i <= x.Length - width; i += width)
            {
                var value = new Vector<float>(v[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(x[i..]), Vector<float>.Zero), value, value * slope).CopyTo(d[i..]);
            }
        }
        for (; i < x.Length; i++) d[i] = x[i] > 0f ? v[i] : alpha * v[i];
    }
}
