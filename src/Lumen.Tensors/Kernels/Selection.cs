using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>Branch-free elementwise selection by a Bool mask. A random mask defeats branch prediction, so the
/// choice is made with bit masks (exact for every value, NaN and infinities included).</summary>
internal static class Selection
{
    /// <summary>0 or 1 for a bool, without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte Bit(bool b) => Unsafe.As<bool, byte>(ref b);

    /// <summary>d[i] = mask[i] ? a[i·strideA] : b[i·strideB], strides 0 (a single value) or 1.</summary>
    internal static unsafe void Select(ReadOnlySpan<bool> mask, ReadOnlySpan<float> a, int strideA, ReadOnlySpan<float> b, int strideB, Span<float> d)
    {
        int i = 0;
        if (Avx2.IsSupported && d.Length >= 8)
        {
            fixed (bool* m = mask)
            fixed (float* pa = a, pb = b, pd = d)
            {
                Vector256<float> ca = Vector256.Create(*pa), cb = Vector256.Create(*pb);
                for (; i <= d.Length - 8; i += 8)
                {
                    var bits = Avx2.ConvertToVector256Int32((byte*)(m + i));               // 8 bools → 8 ints 0/1
                    var take = Avx2.CompareGreaterThan(bits, Vector256<int>.Zero).AsSingle();
                    var va = strideA == 0 ? ca : Avx.LoadVector256(pa + i);
                    var vb = strideB == 0 ? cb : Avx.LoadVector256(pb + i);
                    Avx.Store(pd + i, Avx.BlendVariable(vb, va, take));
                }
            }
        }
        for (; i < d.Length; i++)
        {
            int m = -Bit(mask[i]);                                              // 0 or all ones
            int x = BitConverter.SingleToInt32Bits(a[i * strideA]), y = BitConverter.SingleToInt32Bits(b[i * strideB]);
            d[i] = BitConverter.Int32BitsToSingle((x & m) | (y & ~m));
        }
    }

    /// <summary>Int64 twin of <see cref="Select(ReadOnlySpan{bool}, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float})"/>.</summary>
    internal static void Select(ReadOnlySpan<bool> mask, ReadOnlySpan<long> a, int strideA, ReadOnlySpan<long> b, int strideB, Span<long> d)
    {
        for (int i = 0; i < d.Length; i++)
        {
            long m = -(long)Bit(mask[i]);
            d[i] = (a[i * strideA] & m) | (b[i * strideB] & ~m);
        }
    }

    /// <summary>Bool twin.</summary>
    internal static void Select(ReadOnlySpan<bool> mask, ReadOnlySpan<bool> a, int strideA, ReadOnlySpan<bool> b, int strideB, Span<bool> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = (mask[i] & a[i * strideA]) | (!mask[i] & b[i * strideB]);
    }
}
