using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>The lane permutations (Avx512F.PermuteVar16x32x2 indices into a pair of vectors, 0–15 the first, 16–31 the
/// second) with which the Winograd tiles split rows into their tiles' phases and merge them back
/// (<see cref="IWinogradTile.Split"/>, <see cref="IWinogradTile.Merge"/>).</summary>
internal static class WinogradLanes
{
    /// <summary>The even elements of the pair: lane t ← element 2t.</summary>
    public static readonly Vector512<int> Even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>The odd elements of the pair: lane t ← element 2t + 1.</summary>
    public static readonly Vector512<int> Odd = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    /// <summary>The first halves interleaved: lanes 2t, 2t + 1 ← first[t], second[t].</summary>
    public static readonly Vector512<int> ZipLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);

    /// <summary>The second halves interleaved: lanes 2t, 2t + 1 ← first[8 + t], second[8 + t].</summary>
    public static readonly Vector512<int> ZipHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);

    /// <summary><see cref="IWinogradTile.CopyTail"/> of the AVX-512 tiles: whole vectors, then the last partial one with
    /// a masked store. Through <c>Buffer.MemoryCopy</c>, a call to memmove per output row of 55 or 27 columns (every
    /// row of SqueezeNet's 3×3 layers is a ragged group) took 4–5 % of SqueezeNet's whole forward pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void CopyTail(float* merged, float* row, int count)
    {
        int i = 0;
        for (; i + 16 <= count; i += 16) Vector512.Load(merged + i).Store(row + i);
        if (i < count)
            Avx512F.MaskStore(row + i, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count - i)).AsSingle(), Vector512.Load(merged + i));
    }
}
