using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// What the channel-blocked kernels (<see cref="BlockedPointwise"/>, <see cref="BlockedDepthwise"/> and their 8-channel
/// twins) apply to each 16- (or 8-) channel vector as they store it: y = clamp((sum + bias) + residual), the residual optional, the clamp (ReLU,
/// ReLU6) optional — the order of the NCHW path's <see cref="ConvEpilogue"/> (bias, then the residual Add, then the
/// activation).
/// </summary>
/// <remarks>The clamp is x86's max and min (two instructions instead of the six of an IEEE maximum and minimum): they
/// return their second operand when either is NaN, so a NaN sum stays NaN, but a −0 sum may stay −0 under a lower bound
/// of 0 where <see cref="Tensor.Clamp"/> writes +0.</remarks>
internal readonly unsafe struct BlockedEpilogue(ConvActivation activation)
{
    private readonly bool clamp = activation.Kind switch
    {
        ConvActivationKind.Clamp => true,
        ConvActivationKind.None => false,
        _ => throw new ArgumentException($"The blocked kernels fuse no activation or a clamp (ReLU, ReLU6), not a {activation.Kind} activation.", nameof(activation)),
    };

    private readonly Vector512<float> min = Vector512.Create(activation.Min), max = Vector512.Create(activation.Max);
    private readonly Vector256<float> min8 = Vector256.Create(activation.Min), max8 = Vector256.Create(activation.Max);

    /// <summary>Stores clamp((sum + bias) + residual) at y (residual null: none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Vector512<float> sum, Vector512<float> bias, float* residual, float* y)
    {
        var v = sum + bias;
        if (residual is not null) v += Vector512.Load(residual);
        if (clamp) v = Avx512F.IsSupported ? Avx512F.Min(max, Avx512F.Max(min, v)) : Vector512.Min(Vector512.Max(v, min), max);
        v.Store(y);
    }

    /// <summary>Stores clamp((sum + bias) + residual) of 8 channels at y (residual null: none), for the NCHW8c kernels;
    /// the same operations as the 16-channel store, lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Vector256<float> sum, Vector256<float> bias, float* residual, float* y)
    {
        var v = sum + bias;
        if (residual is not null) v += Vector256.Load(residual);
        if (clamp) v = Avx.IsSupported ? Avx.Min(max8, Avx.Max(min8, v)) : Vector256.Min(Vector256.Max(v, min8), max8);
        v.Store(y);
    }
}
