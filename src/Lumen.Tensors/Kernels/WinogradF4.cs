using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// F(4×4, 3×3): 6×6 input tiles, 36 multiplies per output tile of 16 instead of 144 (4× fewer), with the
/// interpolation points 0, ±1, ±2 and ∞ (Lavin &amp; Gray 2016, section 4.2):
/// Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1],
/// G = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1],
/// Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
/// </summary>
internal readonly unsafe struct WinogradF4 : IWinogradTile
{
    public static int M => 4;

    public static int Alpha => 6;

    public static int Lanes => 16;

    public static GemmPath Path => GemmPath.Vector512;

    public static double[] G { get; } =
    [
        1 / 4.0, 0, 0,
        -1 / 6.0, -1 / 6.0, -1 / 6.0,
        -1 / 6.0, 1 / 6.0, -1 / 6.0,
        1 / 24.0, 1 / 12.0, 1 / 6.0,
        1 / 24.0, -1 / 12.0, 1 / 6.0,
        0, 0, 1,
    ];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InputColumn(float* source, nint sourceStride, float* target, nint targetStride)
    {
        var d0 = Vector512.Load(source);
        var d1 = Vector512.Load(source + sourceStride);
        var d2 = Vector512.Load(source + 2 * sourceStride);
        var d3 = Vector512.Load(source + 3 * sourceStride);
        var d4 = Vector512.Load(source + 4 * sourceStride);
        var d5 = Vector512.Load(source + 5 * sourceStride);
        var four = Vector512.Create(4f);
        var minusFive = Vector512.Create(-5f);
        var two = Vector512.Create(2f);
        var s12 = d1 + d2;
        var d21 = d1 - d2;
        var d42 = d4 - d2;
        var d31 = d3 - d1;
        Vector512.FusedMultiplyAdd(four, d0, Vector512.FusedMultiplyAdd(minusFive, d2, d4)).Store(target);
        Vector512.FusedMultiplyAdd(-four, s12, d3 + d4).Store(target + targetStride);
        Vector512.FusedMultiplyAdd(four, d21, d4 - d3).Store(target + 2 * targetStride);
        Vector512.FusedMultiplyAdd(two, d31, d42).Store(target + 3 * targetStride);
        Vector512.FusedMultiplyAdd(-two, d31, d42).Store(target + 4 * targetStride);
        Vector512.FusedMultiplyAdd(four, d1, Vector512.FusedMultiplyAdd(minusFive, d3, d5)).Store(target + 5 * targetStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputColumn(float* source, nint sourceStride, float* target, nint targetStride)
    {
        var m0 = Vector512.Load(source);
        var m1 = Vector512.Load(source + sourceStride);
        var m2 = Vector512.Load(source + 2 * sourceStride);
        var m3 = Vector512.Load(source + 3 * sourceStride);
        var m4 = Vector512.Load(source + 4 * sourceStride);
        var m5 = Vector512.Load(source + 5 * sourceStride);
        var s12 = m1 + m2;
        var d12 = m1 - m2;
        var s34 = m3 + m4;
        var d34 = m3 - m4;
        (m0 + s12 + s34).Store(target);
        Vector512.FusedMultiplyAdd(Vector512.Create(2f), d34, d12).Store(target + targetStride);
        Vector512.FusedMultiplyAdd(Vector512.Create(4f), s34, s12).Store(target + 2 * targetStride);
        Vector512.FusedMultiplyAdd(Vector512.Create(8f), d34, d12 + m5).Store(target + 3 * targetStride);
    }

    // lanes 2t, 2t + 1 ← elements 4t, 4t + 1 (t < 8) of two vectors; likewise 4t + 2, 4t + 3
    private static readonly Vector512<int> Pairs01 = Vector512.Create(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
    private static readonly Vector512<int> Pairs23 = Vector512.Create(2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    private static readonly Vector512<int> QuadsLow = Vector512.Create(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
    private static readonly Vector512<int> QuadsHigh = Vector512.Create(8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(float* row, float* target, nint targetStride)
    {
        var l0 = Vector512.Load(row);
        var l1 = Vector512.Load(row + 16);
        var l2 = Vector512.Load(row + 32);
        var l3 = Vector512.Load(row + 48);
        var a = Avx512F.PermuteVar16x32x2(l0, Pairs01, l1);
        var b = Avx512F.PermuteVar16x32x2(l2, Pairs01, l3);
        var c = Avx512F.PermuteVar16x32x2(l0, Pairs23, l1);
        var d = Avx512F.PermuteVar16x32x2(l2, Pairs23, l3);
        Avx512F.PermuteVar16x32x2(a, WinogradLanes.Even, b).Store(target);
        Avx512F.PermuteVar16x32x2(a, WinogradLanes.Odd, b).Store(target + targetStride);
        Avx512F.PermuteVar16x32x2(c, WinogradLanes.Even, d).Store(target + 2 * targetStride);
        Avx512F.PermuteVar16x32x2(c, WinogradLanes.Odd, d).Store(target + 3 * targetStride);
        // phases 4 and 5 are phases 0 and 1 of the row from element 4 on
        a = Avx512F.PermuteVar16x32x2(Vector512.Load(row + 4), Pairs01, Vector512.Load(row + 20));
        b = Avx512F.PermuteVar16x32x2(Vector512.Load(row + 36), Pairs01, Vector512.Load(row + 52));
        Avx512F.PermuteVar16x32x2(a, WinogradLanes.Even, b).Store(target + 4 * targetStride);
        Avx512F.PermuteVar16x32x2(a, WinogradLanes.Odd, b).Store(target + 5 * targetStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Merge(float* source, nint sourceStride, float* row, in ConvEpilogue finish, int channel)
    {
        var c0 = Vector512.Load(source);
        var c1 = Vector512.Load(source + sourceStride);
        var c2 = Vector512.Load(source + 2 * sourceStride);
        var c3 = Vector512.Load(source + 3 * sourceStride);
        var low01 = Avx512F.PermuteVar16x32x2(c0, WinogradLanes.ZipLow, c1);
        var high01 = Avx512F.PermuteVar16x32x2(c0, WinogradLanes.ZipHigh, c1);
        var low23 = Avx512F.PermuteVar16x32x2(c2, WinogradLanes.ZipLow, c3);
        var high23 = Avx512F.PermuteVar16x32x2(c2, WinogradLanes.ZipHigh, c3);
        var o0 = Avx512F.PermuteVar16x32x2(low01, QuadsLow, low23);
        var o1 = Avx512F.PermuteVar16x32x2(low01, QuadsHigh, low23);
        var o2 = Avx512F.PermuteVar16x32x2(high01, QuadsLow, high23);
        var o3 = Avx512F.PermuteVar16x32x2(high01, QuadsHigh, high23);
        finish.Finish(ref o0, ref o1, channel);
        finish.Finish(ref o2, ref o3, channel);
        o0.Store(row);
        o1.Store(row + 16);
        o2.Store(row + 32);
        o3.Store(row + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyTail(float* merged, float* row, int count) => WinogradLanes.CopyTail(merged, row, count);
}
