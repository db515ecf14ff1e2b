using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>An elementwise binary float operator with span forms for the SIMD paths (TensorPrimitives).</summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float x, float y);
    static abstract void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d);
    static abstract void Invoke(ReadOnlySpan<float> x, float y, Span<float> d);
    static abstract void Invoke(float x, ReadOnlySpan<float> y, Span<float> d);
}

/// <remarks>Two tensors of one shape (a residual connection's Add in grad mode, the backward pass summing two gradients)
/// are added by <see cref="Add512"/>, compiled optimized from the first call: TensorPrimitives' generic loop ran as tier-0
/// code through most of an IG run on MobileNetV2 (about 1.5 % of it), its call counting held back by the tiering
/// delay. One IEEE addition per element either way.</remarks>
internal readonly struct AddOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x + y;

    public static unsafe void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
    {
        // anything else (no AVX-512, other lengths, a partial overlap) as TensorPrimitives has it, its checks included
        if (!Avx512F.IsSupported || !Vector512.IsHardwareAccelerated || x.Length != d.Length || y.Length != d.Length
            || (x.Overlaps(d, out int ox) && ox != 0) || (y.Overlaps(d, out int oy) && oy != 0))
        {
            TensorPrimitives.Add(x, y, d);
            return;
        }
        fixed (float* px = x, py = y, pd = d) Add512(px, py, pd, d.Length);
    }

    /// <summary>d[i] = x[i] + y[i], 64 values a step in four vectors, the last 1–15 through a masked load and store;
    /// d may be x or y (each value is read before it is written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Add512(float* x, float* y, float* d, int n)
    {
        nint i = 0;
        for (; i <= n - 64; i += 64)
        {
            var s0 = Vector512.Load(x + i) + Vector512.Load(y + i);
            var s1 = Vector512.Load(x + i + 16) + Vector512.Load(y + i + 16);
            var s2 = Vector512.Load(x + i + 32) + Vector512.Load(y + i + 32);
            var s3 = Vector512.Load(x + i + 48) + Vector512.Load(y + i + 48);
            s0.Store(d + i);
            s1.Store(d + i + 16);
            s2.Store(d + i + 32);
            s3.Store(d + i + 48);
        }
        for (; i <= n - 16; i += 16) (Vector512.Load(x + i) + Vector512.Load(y + i)).Store(d + i);
        if (i < n)
        {
            var lanes = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create((int)(n - i))).AsSingle();
            var sum = Avx512F.MaskLoad(x + i, lanes, Vector512<float>.Zero) + Avx512F.MaskLoad(y + i, lanes, Vector512<float>.Zero);
            Avx512F.MaskStore(d + i, lanes, sum);
        }
    }

    public static void Invoke(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void Invoke(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(y, x, d);
}

internal readonly struct SubtractOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x - y;
    public static void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Invoke(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Invoke(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MultiplyOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x * y;
    public static void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Invoke(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Invoke(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivideOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x / y;
    public static void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Invoke(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Invoke(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
}

internal readonly struct MaximumOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => float.IsNaN(x) || float.IsNaN(y) ? float.NaN : MathF.Max(x, y);
    public static void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void Invoke(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void Invoke(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(y, x, d);
}

internal readonly struct MinimumOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => float.IsNaN(x) || float.IsNaN(y) ? float.NaN : MathF.Min(x, y);
    public static void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void Invoke(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void Invoke(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(y, x, d);
}

internal readonly struct PowOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => MathF.Pow(x, y);
    public static void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Pow(x, y, d);
    public static void Invoke(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Pow(x, y, d);
    public static void Invoke(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Pow(x, y, d);
}

/// <summary>Returns the right operand: broadcasting copy (BroadcastTo/Expand).</summary>
internal readonly struct RightOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => y;
    public static void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => y.CopyTo(d);
    public static void Invoke(ReadOnlySpan<float> x, float y, Span<float> d) => d.Fill(y);
    public static void Invoke(float x, ReadOnlySpan<float> y, Span<float> d) => y.CopyTo(d);
}
