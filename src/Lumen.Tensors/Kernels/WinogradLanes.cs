using System.Runtime.Intrinsics;

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
}
