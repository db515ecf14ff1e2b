using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The register tiles of <see cref="ConvDirect"/> on AVX2 machines: 6 output channels × 16 output columns, 12 ymm
/// accumulators, two loads of a tap's 16 consecutive phase entries and six broadcasts of its weights per tap (15 of
/// the 16 ymm registers, the AVX2 GEMM kernel's budget). Each output accumulates its taps from zero in tap order and
/// is finished by the same epilogue operations, so the values are bitwise those of the im2col path on the AVX2 GEMM
/// kernel (<see cref="GemmKernel256"/>, whose depth is not split below <see cref="ConvDirect.MaxDepth"/> taps).
/// </summary>
internal readonly unsafe struct ConvDirectTile256 : IDirectTiles
{
    /// <summary>Output channels of a register tile (and of a block of packed weights).</summary>
    public static int Channels => 6;

    /// <summary>Output columns of a register tile (two vectors).</summary>
    public static int Columns => 16;

    /// <summary>Whether the tiles run here: 256-bit vectors with FMA.</summary>
    public static bool IsSupported => Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx.IsSupported;

    /// <summary>One register tile: output channels [channel, channel + rows) × 16 columns (the first
    /// <paramref name="cols"/> stored), y[o, s] = Σ_t w[o, t] · src[taps[t] + s] from zero in tap order; returns the
    /// rows in which a watched clamp met a bound, bit r for row r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Tile<TTies>(float* src, int* taps, int depth, float* w, float* y, nint plane, int rows, int cols, in ConvEpilogue finish, int channel)
        where TTies : struct, ITieWatch
    {
        Vector256<float> c0a = default, c0b = default, c1a = default, c1b = default, c2a = default, c2b = default;
        Vector256<float> c3a = default, c3b = default, c4a = default, c4b = default, c5a = default, c5b = default;
        for (int t = 0; t < depth; t++, w += Channels)
        {
            float* s = src + taps[t];
            var b0 = Vector256.Load(s);
            var b1 = Vector256.Load(s + 8);
            var a = Vector256.Create(w[0]);
            c0a = Vector256.FusedMultiplyAdd(a, b0, c0a);
            c0b = Vector256.FusedMultiplyAdd(a, b1, c0b);
            a = Vector256.Create(w[1]);
            c1a = Vector256.FusedMultiplyAdd(a, b0, c1a);
            c1b = Vector256.FusedMultiplyAdd(a, b1, c1b);
            a = Vector256.Create(w[2]);
            c2a = Vector256.FusedMultiplyAdd(a, b0, c2a);
            c2b = Vector256.FusedMultiplyAdd(a, b1, c2b);
            a = Vector256.Create(w[3]);
            c3a = Vector256.FusedMultiplyAdd(a, b0, c3a);
            c3b = Vector256.FusedMultiplyAdd(a, b1, c3b);
            a = Vector256.Create(w[4]);
            c4a = Vector256.FusedMultiplyAdd(a, b0, c4a);
            c4b = Vector256.FusedMultiplyAdd(a, b1, c4b);
            a = Vector256.Create(w[5]);
            c5a = Vector256.FusedMultiplyAdd(a, b0, c5a);
            c5b = Vector256.FusedMultiplyAdd(a, b1, c5b);
        }
        var lanes = Vector256<int>.Indices;
        var first = Vector256.LessThan(lanes, Vector256.Create(cols)).AsSingle();
        var second = Vector256.LessThan(lanes, Vector256.Create(cols - 8)).AsSingle();
        uint tied = 0;
        Store<TTies>(y, c0a, c0b, finish, channel, cols, first, second, 0, ref tied);
        if (rows > 1) Store<TTies>(y + plane, c1a, c1b, finish, channel + 1, cols, first, second, 1, ref tied);
        if (rows > 2) Store<TTies>(y + 2 * plane, c2a, c2b, finish, channel + 2, cols, first, second, 2, ref tied);
        if (rows > 3) Store<TTies>(y + 3 * plane, c3a, c3b, finish, channel + 3, cols, first, second, 3, ref tied);
        if (rows > 4) Store<TTies>(y + 4 * plane, c4a, c4b, finish, channel + 4, cols, first, second, 4, ref tied);
        if (rows > 5) Store<TTies>(y + 5 * plane, c5a, c5b, finish, channel + 5, cols, first, second, 5, ref tied);
        return tied;
    }

    /// <summary>Finishes one channel's 16 values (<see cref="ConvEpilogue.Finish256"/>, as the AVX2 GEMM's store) and
    /// stores the lanes in <paramref name="first"/> and <paramref name="second"/> (all of them when
    /// <paramref name="cols"/> is 16); a watched clamp sets bit <paramref name="bit"/> of <paramref name="tied"/> when a
    /// stored lane met a bound.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TTies>(float* row, Vector256<float> left, Vector256<float> right, in ConvEpilogue finish, int channel, int cols,
        Vector256<float> first, Vector256<float> second, int bit, ref uint tied) where TTies : struct, ITieWatch
    {
        if (typeof(TTies) == typeof(TiesWatched))
        {
            if (finish.FinishWatched256(ref left, ref right, channel, first, second)) tied |= 1u << bit;
        }
        else if (finish.FinishesValues) finish.Finish256(ref left, ref right, channel);
        if (cols >= Columns)
        {
            left.Store(row);
            right.Store(row + 8);
            return;
        }
        Avx.MaskStore(row, first, left);
        Avx.MaskStore(row + 8, second, right);
    }
}
