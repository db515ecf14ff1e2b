using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lumen.Tensors.Kernels;

/// <summary>One channel's bias and activation on 8 lanes, y = act(y + b): <see cref="ConvEpilogue.ChannelLanes"/> for
/// the AVX2 kernels (<see cref="DepthwiseConv3x3Avx2"/>), which must not touch the emulated Vector512 there. The same
/// IEEE operations in the same order, so bitwise equal to <see cref="ConvEpilogue.Apply(Span{float}, int)"/>.</summary>
internal readonly struct ChannelLanes256
{
    private readonly Vector256<float> bias, min, max, alpha;
    private readonly bool hasBias;
    private readonly ClampTies? ties;
    private readonly int channel;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ChannelLanes256(float? bias, float min, float max, float alpha, ClampTies? ties, int channel)
    {
        hasBias = bias is not null;
        this.ties = ties;
        this.channel = channel;
        this.bias = Vector256.Create(bias ?? 0f);
        this.min = Vector256.Create(min);
        this.max = Vector256.Create(max);
        this.alpha = Vector256.Create(alpha);
    }

    /// <summary>act(<paramref name="x"/> + b), no +0 added without a bias (−0 stays); a watched clamp
    /// (<see cref="ConvEpilogue.WatchedClampOperation"/>) reports the channel when a lane of <paramref name="stored"/>
    /// equals a bound before it is clamped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply<TActivation>(Vector256<float> x, Vector256<float> stored) where TActivation : struct, ConvEpilogue.IActivationOperation
    {
        if (hasBias) x += bias;
        if (typeof(TActivation) == typeof(ConvEpilogue.WatchedClampOperation)
            && Vector256.ExtractMostSignificantBits(ClampTies.Touches(x, min, max) & stored) != 0)
            ties!.Watch(Vector512<float>.AllBitsSet, channel);
        return TActivation.Apply(x, min, max, alpha);
    }
}
