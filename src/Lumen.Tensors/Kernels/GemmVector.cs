using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Row-blocked matrix-vector product y[i] (+)= Σₚ M[i, p]·x[p] over contiguous rows of M (a classifier's
/// 1000 × 1280 weights on one image): four rows share each load of x, with two 512-bit accumulators per row.
/// </summary>
/// <remarks>
/// Every row is summed in the same order whether it falls in a block of four or in the ragged tail (lanes of the
/// even 16-float chunks in one accumulator, odd chunks and the masked remainder in the other, then the two added
/// and reduced), so a row's result does not depend on its position or on how threads split the rows. Without
/// AVX-512 each row is <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
/// </remarks>
internal static unsafe class GemmVector
{
    /// <summary>Whether <see cref="DotRows"/> runs the blocked AVX-512 loop.</summary>
    public static bool IsBlocked => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>y[i] (+)= M[i, :]·x for rows i in [<paramref name="start"/>, <paramref name="end"/>) of the
    /// row-major M with <paramref name="k"/> columns.</summary>
    public static void DotRows(float* matrix, int k, float* x, float* y, int start, int end, bool accumulate)
    {
        int i = start;
        if (IsBlocked)
        {
            for (; i + 4 <= end; i += 4)
            {
                float* row = matrix + (nint)i * k;
                Dot4(row, row + k, row + 2 * (nint)k, row + 3 * (nint)k, x, k, out float d0, out float d1, out float d2, out float d3);
                Write(y + i, d0, accumulate);
                Write(y + i + 1, d1, accumulate);
                Write(y + i + 2, d2, accumulate);
                Write(y + i + 3, d3, accumulate);
            }
            for (; i < end; i++) Write(y + i, Dot1(matrix + (nint)i * k, x, k), accumulate);
            return;
        }
        var xs = new ReadOnlySpan<float>(x, k);
        for (; i < end; i++) Write(y + i, TensorPrimitives.Dot(new ReadOnlySpan<float>(matrix + (nint)i * k, k), xs), accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write(float* y, float dot, bool accumulate) => *y = accumulate ? *y + dot : dot;

    /// <summary>Four rows' dot products with x, one load of x per 16 columns for all four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4(float* r0, float* r1, float* r2, float* r3, float* x, int k, out float d0, out float d1, out float d2, out float d3)
    {
        Vector512<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
        int p = 0;
        for (; p + 32 <= k; p += 32)
        {
            var xa = Vector512.Load(x + p);
            var xb = Vector512.Load(x + p + 16);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(r0 + p), xa, a0);
            b0 = Vector512.FusedMultiplyAdd(Vector512.Load(r0 + p + 16), xb, b0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(r1 + p), xa, a1);
            b1 = Vector512.FusedMultiplyAdd(Vector512.Load(r1 + p + 16), xb, b1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(r2 + p), xa, a2);
            b2 = Vector512.FusedMultiplyAdd(Vector512.Load(r2 + p + 16), xb, b2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Load(r3 + p), xa, a3);
            b3 = Vector512.FusedMultiplyAdd(Vector512.Load(r3 + p + 16), xb, b3);
        }
        if (p + 16 <= k)
        {
            var xa = Vector512.Load(x + p);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(r0 + p), xa, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(r1 + p), xa, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(r2 + p), xa, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Load(r3 + p), xa, a3);
            p += 16;
        }
        if (p < k)
        {
            var mask = Tail(k - p);
            var xb = Avx512F.MaskLoad(x + p, mask, Vector512<float>.Zero);
            b0 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(r0 + p, mask, Vector512<float>.Zero), xb, b0);
            b1 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(r1 + p, mask, Vector512<float>.Zero), xb, b1);
            b2 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(r2 + p, mask, Vector512<float>.Zero), xb, b2);
            b3 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(r3 + p, mask, Vector512<float>.Zero), xb, b3);
        }
        d0 = Vector512.Sum(a0 + b0);
        d1 = Vector512.Sum(a1 + b1);
        d2 = Vector512.Sum(a2 + b2);
        d3 = Vector512.Sum(a3 + b3);
    }

    /// <summary>One row's dot product with x, summed exactly as each row of <see cref="Dot4"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot1(float* r, float* x, int k)
    {
        Vector512<float> a = default, b = default;
        int p = 0;
        for (; p + 32 <= k; p += 32)
        {
            a = Vector512.FusedMultiplyAdd(Vector512.Load(r + p), Vector512.Load(x + p), a);
            b = Vector512.FusedMultiplyAdd(Vector512.Load(r + p + 16), Vector512.Load(x + p + 16), b);
        }
        if (p + 16 <= k)
        {
            a = Vector512.FusedMultiplyAdd(Vector512.Load(r + p), Vector512.Load(x + p), a);
            p += 16;
        }
        if (p < k)
        {
            var mask = Tail(k - p);
            b = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(r + p, mask, Vector512<float>.Zero), Avx512F.MaskLoad(x + p, mask, Vector512<float>.Zero), b);
        }
        return Vector512.Sum(a + b);
    }

    /// <summary>The lanes below <paramref name="count"/> (1–15) set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tail(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
}
