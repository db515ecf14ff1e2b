using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The output channels in which a clamp fused into a convolution (<see cref="ConvEpilogue"/>) met an input exactly on
/// one of its bounds: u = lo or u = hi (±0 equal, NaN never). Kernels that watch a clamp compare each vector of inputs
/// with the bounds before clamping it and note the channel when any stored lane matched; threads only ever set flags,
/// so concurrent writes need no lock, and the caller reads them after the kernel has joined its threads.
/// </summary>
/// <remarks>Why it matters: the clamp's gradient is 1 on the closed interval lo ≤ u ≤ hi, and y = min(max(u, lo), hi)
/// equals lo both for u = lo (gradient 1) and for u &lt; lo (gradient 0). Without a tie, lo ≤ u ≤ hi ⟺ lo &lt; y &lt; hi,
/// so the backward pass can take the mask from y alone (<see cref="Tensor.Conv2dClamped"/>); only the channels noted
/// here need u.</remarks>
internal sealed class ClampTies(int channels)
{
    private readonly bool[] tied = new bool[channels];

    /// <summary>Whether some input equalled a bound.</summary>
    public bool Seen { get; private set; }

    /// <summary>The channels in which some input equalled a bound, in increasing order.</summary>
    public int[] Channels() => [.. Enumerable.Range(0, tied.Length).Where(c => tied[c])];

    /// <summary>Notes a mask of lanes of <paramref name="channel"/> found on a bound (<see cref="Touches(Vector512{float}, Vector512{float}, Vector512{float})"/>, restricted to
    /// the lanes that are stored), and <paramref name="scalar"/>, the same finding for values handled one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Watch(Vector512<float> touched, int channel, bool scalar = false)
    {
        if (scalar || Vector512.ExtractMostSignificantBits(touched) != 0)
        {
            tied[channel] = true;            // no call here: kernels that inline this keep their registers
            Seen = true;
        }
    }

    /// <summary>The lanes of <paramref name="u"/> equal to a bound.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Touches(Vector512<float> u, Vector512<float> lo, Vector512<float> hi) =>
        Vector512.Equals(u, lo) | Vector512.Equals(u, hi);

    /// <summary><see cref="Touches(Vector512{float}, Vector512{float}, Vector512{float})"/> on 8 lanes (the AVX2 kernels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Touches(Vector256<float> u, Vector256<float> lo, Vector256<float> hi) =>
        Vector256.Equals(u, lo) | Vector256.Equals(u, hi);
}
