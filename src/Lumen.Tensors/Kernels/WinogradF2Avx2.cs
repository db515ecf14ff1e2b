using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// F(2×2, 3×3) (<see cref="WinogradF2"/>: the same Bᵀ, G and Aᵀ, the same operations lane for lane) on AVX2: 8 tiles
/// at once in the lanes of Vector256, V written for the 6×16 GEMM (<see cref="GemmPath.Vector256"/>). Split takes
/// the even and odd elements of 16 floats (a shuffle within 128-bit halves, then the 64-bit pairs reordered 0, 2, 1, 3);
/// Merge interleaves two phases and puts the halves back in order.
/// </summary>
internal readonly unsafe struct WinogradF2Avx2 : IWinogradTile
{
    public static int M => WinogradF2.M;

    public static int Alpha => WinogradF2.Alpha;

    public static double[] G => WinogradF2.G;

    public static int Lanes => 8;

    public static GemmPath Path => GemmPath.Vector256;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InputColumn(float* source, nint sourceStride, float* target, nint targetStride)
    {
        var d0 = Vector256.Load(source);
        var d1 = Vector256.Load(source + sourceStride);
        var d2 = Vector256.Load(source + 2 * sourceStride);
        var d3 = Vector256.Load(source + 3 * sourceStride);
        (d0 - d2).Store(target);
        (d1 + d2).Store(target + targetStride);
        (d2 - d1).Store(target + 2 * targetStride);
        (d1 - d3).Store(target + 3 * targetStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputColumn(float* source, nint sourceStride, float* target, nint targetStride)
    {
        var m0 = Vector256.Load(source);
        var m1 = Vector256.Load(source + sourceStride);
        var m2 = Vector256.Load(source + 2 * sourceStride);
        var m3 = Vector256.Load(source + 3 * sourceStride);
        (m0 + m1 + m2).Store(target);
        (m1 - m2 - m3).Store(target + targetStride);
    }

    /// <summary>Shuffle control: elements 0, 2 of each half of the first vector, then 0, 2 of the second.</summary>
    private const byte Evens = 0b10_00_10_00;

    /// <summary>Shuffle control: elements 1, 3 of each half of the first vector, then 1, 3 of the second.</summary>
    private const byte Odds = 0b11_01_11_01;

    /// <summary>Permute4x64 control: 64-bit pairs 0, 2, 1, 3.</summary>
    private const byte Pairs0213 = 0b11_01_10_00;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(float* row, float* target, nint targetStride)
    {
        var l0 = Vector256.Load(row);
        var l1 = Vector256.Load(row + 8);
        Avx2.Permute4x64(Avx.Shuffle(l0, l1, Evens).AsDouble(), Pairs0213).AsSingle().Store(target);
        Avx2.Permute4x64(Avx.Shuffle(l0, l1, Odds).AsDouble(), Pairs0213).AsSingle().Store(target + targetStride);
        // phases 2 and 3 are phases 0 and 1 of the row from element 2 on
        l0 = Vector256.Load(row + 2);
        l1 = Vector256.Load(row + 10);
        Avx2.Permute4x64(Avx.Shuffle(l0, l1, Evens).AsDouble(), Pairs0213).AsSingle().Store(target + 2 * targetStride);
        Avx2.Permute4x64(Avx.Shuffle(l0, l1, Odds).AsDouble(), Pairs0213).AsSingle().Store(target + 3 * targetStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyTail(float* merged, float* row, int count) => WinogradF4Avx2.CopyTail(merged, row, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Merge(float* source, nint sourceStride, float* row, in ConvEpilogue finish, int channel)
    {
        var c0 = Vector256.Load(source);
        var c1 = Vector256.Load(source + sourceStride);
        var low = Avx.UnpackLow(c0, c1);                    // out[0, 4) | out[8, 12)
        var high = Avx.UnpackHigh(c0, c1);                  // out[4, 8) | out[12, 16)
        var o0 = Avx.Permute2x128(low, high, 0x20);
        var o1 = Avx.Permute2x128(low, high, 0x31);
        finish.Finish256(ref o0, ref o1, channel);
        o0.Store(row);
        o1.Store(row + 8);
    }
}
