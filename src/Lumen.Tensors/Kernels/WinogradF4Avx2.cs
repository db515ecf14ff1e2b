using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// F(4×4, 3×3) (<see cref="WinogradF4"/>: the same Bᵀ, G and Aᵀ, the same operations lane for lane) on AVX2 + FMA:
/// 8 tiles at once in the lanes of Vector256, V written for the 6×16 GEMM (<see cref="GemmPath.Vector256"/>).
/// Split and Merge view 8 tiles' row of 32 floats as 8 quads q_t = row[4t, 4t + 4): the vector (q_t | q_{t+4})
/// for t &lt; 4, transposed 4×4 within each 128-bit half, gives the phases (row[4t + c] in lane t).
/// </summary>
internal readonly unsafe struct WinogradF4Avx2 : IWinogradTile
{
    public static int M => WinogradF4.M;

    public static int Alpha => WinogradF4.Alpha;

    public static double[] G => WinogradF4.G;

    public static int Lanes => 8;

    public static GemmPath Path => GemmPath.Vector256;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InputColumn(float* source, nint sourceStride, float* target, nint targetStride)
    {
        var d0 = Vector256.Load(source);
        var d1 = Vector256.Load(source + sourceStride);
        var d2 = Vector256.Load(source + 2 * sourceStride);
        var d3 = Vector256.Load(source + 3 * sourceStride);
        var d4 = Vector256.Load(source + 4 * sourceStride);
        var d5 = Vector256.Load(source + 5 * sourceStride);
        var four = Vector256.Create(4f);
        var minusFive = Vector256.Create(-5f);
        var two = Vector256.Create(2f);
        var s12 = d1 + d2;
        var d21 = d1 - d2;
        var d42 = d4 - d2;
        var d31 = d3 - d1;
        Vector256.FusedMultiplyAdd(four, d0, Vector256.FusedMultiplyAdd(minusFive, d2, d4)).Store(target);
        Vector256.FusedMultiplyAdd(-four, s12, d3 + d4).Store(target + targetStride);
        Vector256.FusedMultiplyAdd(four, d21, d4 - d3).Store(target + 2 * targetStride);
        Vector256.FusedMultiplyAdd(two, d31, d42).Store(target + 3 * targetStride);
        Vector256.FusedMultiplyAdd(-two, d31, d42).Store(target + 4 * targetStride);
        Vector256.FusedMultiplyAdd(four, d1, Vector256.FusedMultiplyAdd(minusFive, d3, d5)).Store(target + 5 * targetStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputColumn(float* source, nint sourceStride, float* target, nint targetStride)
    {
        var m0 = Vector256.Load(source);
        var m1 = Vector256.Load(source + sourceStride);
        var m2 = Vector256.Load(source + 2 * sourceStride);
        var m3 = Vector256.Load(source + 3 * sourceStride);
        var m4 = Vector256.Load(source + 4 * sourceStride);
        var m5 = Vector256.Load(source + 5 * sourceStride);
        var s12 = m1 + m2;
        var d12 = m1 - m2;
        var s34 = m3 + m4;
        var d34 = m3 - m4;
        (m0 + s12 + s34).Store(target);
        Vector256.FusedMultiplyAdd(Vector256.Create(2f), d34, d12).Store(target + targetStride);
        Vector256.FusedMultiplyAdd(Vector256.Create(4f), s34, s12).Store(target + 2 * targetStride);
        Vector256.FusedMultiplyAdd(Vector256.Create(8f), d34, d12 + m5).Store(target + 3 * targetStride);
    }

    /// <summary>Shuffle control: elements 0, 1 of each half of the first vector, then 0, 1 of the second.</summary>
    private const byte Low2 = 0b01_00_01_00;

    /// <summary>Shuffle control: elements 2, 3 of each half of the first vector, then 2, 3 of the second.</summary>
    private const byte High2 = 0b11_10_11_10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(float* row, float* target, nint targetStride)
    {
        // v_t = (q_t | q_{t+4}); v_4 = (q_4 | q_8) serves phases 4 and 5, phases 0 and 1 of the row from element 4 on
        var v0 = Vector256.Create(Vector128.Load(row), Vector128.Load(row + 16));
        var v1 = Vector256.Create(Vector128.Load(row + 4), Vector128.Load(row + 20));
        var v2 = Vector256.Create(Vector128.Load(row + 8), Vector128.Load(row + 24));
        var v3 = Vector256.Create(Vector128.Load(row + 12), Vector128.Load(row + 28));
        var v4 = Vector256.Create(Vector128.Load(row + 16), Vector128.Load(row + 32));
        var low01 = Avx.UnpackLow(v0, v1);
        var high01 = Avx.UnpackHigh(v0, v1);
        var low23 = Avx.UnpackLow(v2, v3);
        var high23 = Avx.UnpackHigh(v2, v3);
        Avx.Shuffle(low01, low23, Low2).Store(target);
        Avx.Shuffle(low01, low23, High2).Store(target + targetStride);
        Avx.Shuffle(high01, high23, Low2).Store(target + 2 * targetStride);
        Avx.Shuffle(high01, high23, High2).Store(target + 3 * targetStride);
        var low12 = Avx.UnpackLow(v1, v2);
        var low34 = Avx.UnpackLow(v3, v4);
        Avx.Shuffle(low12, low34, Low2).Store(target + 4 * targetStride);
        Avx.Shuffle(low12, low34, High2).Store(target + 5 * targetStride);
    }

    /// <summary>Whole vectors, then the last partial one with a masked store (a call to memmove per output row cost
    /// 5–10 % of the layer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyTail(float* merged, float* row, int count)
    {
        int i = 0;
        for (; i + 8 <= count; i += 8) Vector256.Load(merged + i).Store(row + i);
        if (i < count)
            Avx.MaskStore(row + i, Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count - i)).AsSingle(), Vector256.Load(merged + i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Merge(float* source, nint sourceStride, float* row, in ConvEpilogue finish, int channel)
    {
        var c0 = Vector256.Load(source);
        var c1 = Vector256.Load(source + sourceStride);
        var c2 = Vector256.Load(source + 2 * sourceStride);
        var c3 = Vector256.Load(source + 3 * sourceStride);
        var low01 = Avx.UnpackLow(c0, c1);
        var high01 = Avx.UnpackHigh(c0, c1);
        var low23 = Avx.UnpackLow(c2, c3);
        var high23 = Avx.UnpackHigh(c2, c3);
        var q04 = Avx.Shuffle(low01, low23, Low2);          // (q_0 | q_4)
        var q15 = Avx.Shuffle(low01, low23, High2);
        var q26 = Avx.Shuffle(high01, high23, Low2);
        var q37 = Avx.Shuffle(high01, high23, High2);
        var o0 = Avx.Permute2x128(q04, q15, 0x20);
        var o1 = Avx.Permute2x128(q26, q37, 0x20);
        var o2 = Avx.Permute2x128(q04, q15, 0x31);
        var o3 = Avx.Permute2x128(q26, q37, 0x31);
        finish.Finish256(ref o0, ref o1, channel);
        finish.Finish256(ref o2, ref o3, channel);
        o0.Store(row);
        o1.Store(row + 8);
        o2.Store(row + 16);
        o3.Store(row + 24);
    }
}
