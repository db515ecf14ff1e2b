using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>An elementwise unary float operator: a span form (SIMD, usually through TensorPrimitives) and a
/// scalar form that is its naive twin and test oracle.</summary>
internal interface IUnaryOperator
{
    static abstract float Invoke(float x);
    static abstract void Invoke(ReadOnlySpan<float> x, Span<float> d);
}

/// <summary>Runs a unary operator over a whole buffer, split across threads when it is large.</summary>
internal static class Unary
{
    private const int Block = 16_384;

    /// <summary>d[i] = op(x[i]) for i &lt; length.</summary>
    internal static void Apply<TOp>(float[] x, float[] d, int length) where TOp : IUnaryOperator
    {
        if (length <= Block) { TOp.Invoke(x.AsSpan(0, length), d.AsSpan(0, length)); return; }
        InBlocks(length, (from, count) => TOp.Invoke(x.AsSpan(from, count), d.AsSpan(from, count)));
    }

    /// <summary>Calls <paramref name="body"/>(from, count) over [0, length) in blocks, split across threads when large.</summary>
    internal static void InBlocks(int length, Action<int, int> body)
    {
        if (length == 0) return;
        if (length <= Block) { body(0, length); return; }
        int blocks = (length + Block - 1) / Block;
        Parallelism.For(blocks, Block, (start, end) =>
        {
            int from = start * Block, to = Math.Min(length, end * Block);
            body(from, to - from);
        });
    }

    /// <summary>The naive twin: the scalar operator in a plain loop.</summary>
    internal static void ApplyNaive<TOp>(ReadOnlySpan<float> x, Span<float> d) where TOp : IUnaryOperator
    {
        for (int i = 0; i < x.Length; i++) d[i] = TOp.Invoke(x[i]);
    }
}

internal readonly struct ExpOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Exp(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Exp(x, d);
}

internal readonly struct LogOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Log(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Log(x, d);
}

internal readonly struct TanhOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Tanh(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Tanh(x, d);
}

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static float Invoke(float x) => 1f / (1f + MathF.Exp(-x));
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d)
    {
        if (!x.IsEmpty) TensorPrimitives.Sigmoid(x, d); // TensorPrimitives.Sigmoid rejects empty spans
    }
}

internal readonly struct SqrtOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Sqrt(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Sqrt(x, d);
}

internal readonly struct RsqrtOperator : IUnaryOperator
{
    public static float Invoke(float x) => 1f / MathF.Sqrt(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.ReciprocalSqrt(x, d);
}

internal readonly struct ReciprocalOperator : IUnaryOperator
{
    public static float Invoke(float x) => 1f / x;
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Reciprocal(x, d);
}

internal readonly struct AbsOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Abs(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Abs(x, d);
}

internal readonly struct SinOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Sin(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Sin(x, d);
}

internal readonly struct CosOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Cos(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Cos(x, d);
}

internal readonly struct FloorOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Floor(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Floor(x, d);
}

internal readonly struct CeilOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Ceiling(x);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Ceiling(x, d);
}

/// <summary>Rounds half to even (ONNX Round, torch.round).</summary>
internal readonly struct RoundOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Round(x, MidpointRounding.ToEven);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Round(x, d);
}

/// <summary>−1, 0 or +1 (NaN stays NaN).</summary>
internal readonly struct SignOperator : IUnaryOperator
{
    public static float Invoke(float x) => x > 0 ? 1f : x < 0 ? -1f : x;
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => Unary.ApplyNaive<SignOperator>(x, d);
}

/// <summary>max(x, 0), NaN-propagating.</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    public static float Invoke(float x) => x > 0 ? x : float.IsNaN(x) ? x : 0f;
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Max(x, 0f, d);
}

/// <summary>x·σ(x).</summary>
internal readonly struct SiluOperator : IUnaryOperator
{
    public static float Invoke(float x) => x / (1f + MathF.Exp(-x));
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d)
    {
        SigmoidOperator.Invoke(x, d);
        TensorPrimitives.Multiply(x, d, d);
    }
}

/// <summary>ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^(−|x|)) so it never overflows.</summary>
internal readonly struct SoftplusOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));

    public static void Invoke(ReadOnlySpan<float> x, Span<float> d)
    {
        TensorPrimitives.Abs(x, d);
        TensorPrimitives.Negate(d, d);
        TensorPrimitives.Exp(d, d);
        TensorPrimitives.Add(d, 1f, d);
        TensorPrimitives.Log(d, d);
        for (int i = 0; i < d.Length; i++) if (x[i] > 0) d[i] += x[i];
    }
}

/// <summary>The tanh approximation of GELU: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
internal readonly struct GeluTanhOperator : IUnaryOperator
{
    internal const float Sqrt2OverPi = 0.7978845608f;
    internal const float Cubic = 0.044715f;

    public static float Invoke(float x) => 0.5f * x * (1f + MathF.Tanh(Sqrt2OverPi * (x + Cubic * x * x * x)));

    public static void Invoke(ReadOnlySpan<float> x, Span<float> d)
    {
        TensorPrimitives.Multiply(x, x, d);                       // x²
        TensorPrimitives.Multiply(d, Cubic, d);
        TensorPrimitives.Add(d, 1f, d);                           // 1 + c·x²
        TensorPrimitives.Multiply(d, x, d);                       // x + c·x³
        TensorPrimitives.Multiply(d, Sqrt2OverPi, d);
        TensorPrimitives.Tanh(d, d);
        TensorPrimitives.Add(d, 1f, d);
        TensorPrimitives.Multiply(d, x, d);
        TensorPrimitives.Multiply(d, 0.5f, d);
    }
}

/// <summary>Exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)).</summary>
internal readonly struct GeluOperator : IUnaryOperator
{
    internal const float InvSqrt2 = 0.70710678118654752f;

    public static float Invoke(float x) => 0.5f * x * (1f + ErfOperator.Invoke(x * InvSqrt2));

    public static void Invoke(ReadOnlySpan<float> x, Span<float> d)
    {
        TensorPrimitives.Multiply(x, InvSqrt2, d);
        ErfOperator.Invoke(d, d);
        TensorPrimitives.Add(d, 1f, d);
        TensorPrimitives.Multiply(d, x, d);
        TensorPrimitives.Multiply(d, 0.5f, d);
    }
}

/// <summary>d = min(max(x, lo), hi) in one pass (the clamp that <see cref="ConvEpilogue"/> fuses into convolutions),
/// bitwise <c>TensorPrimitives.Max(x, lo)</c> then <c>TensorPrimitives.Min(·, hi)</c> (two passes): IEEE 754-2019 maximum and minimum, so
/// NaN propagates and +0 lies above −0. An infinite bound leaves every value as it is.</summary>
internal static unsafe class ClampKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, float lo, float hi, Span<float> d)
    {
        if (d.Length != x.Length) throw new ArgumentException($"Clamp: lengths differ (input {x.Length}, destination {d.Length}).");
        int i = 0, n = x.Length;
        fixed (float* px = x, pd = d)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                var vlo = Vector512.Create(lo);
                var vhi = Vector512.Create(hi);
                for (; i <= n - 16; i += 16) ConvEpilogue.ClampOperation.Apply(Vector512.Load(px + i), vlo, vhi, default).Store(pd + i);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var vlo = Vector256.Create(lo);
                var vhi = Vector256.Create(hi);
                for (; i <= n - 8; i += 8) Vector256.Min(Vector256.Max(Vector256.Load(px + i), vlo), vhi).Store(pd + i);
            }
            for (; i < n; i++) pd[i] = ConvEpilogue.ClampOperation.Apply(px[i], lo, hi, 0f);
        }
    }
}
