using System.Runtime.CompilerServices;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The gradient mask of a clamp or ReLU fused into a convolution (<see cref="Tensor.Conv2dClamped"/>,
/// <see cref="Tensor.Conv2dRectified"/>): d = g · [lo ≤ u ≤ hi] on the convolution's output planes, read from the
/// activation's output y with bounds that exclude the ends (lo⁺ ≤ y ≤ hi⁻; ReLU: y ≥ the least positive float, i.e.
/// y &gt; 0) and, in the tied channels of a clamp, from the pre-activation u with the clamp's own bounds. The
/// convolution's input gradient applies it as it reads g where it can (<see cref="Conv2dKernel.FusesMask"/>: into the
/// packed B panels of a pointwise product, or the gathered planes of a batched one), instead of a separate pass over g
/// and y that writes a masked copy; elsewhere the backward rule makes that pass with <see cref="Apply(float[], float[])"/>.
/// </summary>
/// <remarks>Every plane goes through <see cref="GradientMasks.Clamp"/> or the same comparison inline (g where inside,
/// else +0; a NaN y or u is inside nothing), so a fused gradient is bitwise the unfused one.</remarks>
internal sealed class ActivationMask
{
    private readonly float[] output;
    private readonly float lo, hi;
    private readonly int[]? slot;
    private readonly float[]? preactivation;
    private readonly float tiedLo, tiedHi;
    private readonly int channels, plane, tiedCount;

    private ActivationMask(float[] output, int channels, int plane, float lo, float hi, int[]? slot, float[]? preactivation, float tiedLo, float tiedHi, int tiedCount)
    {
        if (output.Length % Math.Max(1, channels * plane) != 0)
            throw new ArgumentException($"ActivationMask: the output's {output.Length} values are not whole images of {channels} planes of {plane}.");
        (this.output, this.channels, this.plane, this.lo, this.hi) = (output, channels, plane, lo, hi);
        (this.slot, this.preactivation, this.tiedLo, this.tiedHi, this.tiedCount) = (slot, preactivation, tiedLo, tiedHi, tiedCount);
    }

    /// <summary>The mask of y = clamp(u, <paramref name="lo"/>, <paramref name="hi"/>) on <paramref name="output"/>
    /// ([N, channels, plane]), with the pre-activation <paramref name="preactivation"/> ([N, tied, plane]) of the
    /// <paramref name="tiedChannels"/> (increasing), where some u equalled a bound, or none.</summary>
    public static ActivationMask Clamp(float[] output, int channels, int plane, float lo, float hi, int[]? tiedChannels = null, float[]? preactivation = null)
    {
        float inLo = MathF.BitIncrement(lo), inHi = MathF.BitDecrement(hi);
        if (tiedChannels is null || tiedChannels.Length == 0) return new(output, channels, plane, inLo, inHi, null, null, 0f, 0f, 0);
        var slot = new int[channels];                            // channel → its plane in the pre-activation, or −1
        Array.Fill(slot, -1);
        for (int j = 0; j < tiedChannels.Length; j++) slot[tiedChannels[j]] = j;
        return new(output, channels, plane, inLo, inHi, slot, preactivation ?? throw new ArgumentNullException(nameof(preactivation)), lo, hi, tiedChannels.Length);
    }

    /// <summary>The mask of y = ReLU(u) (or of any activation that keeps the sign) on <paramref name="output"/>:
    /// y &gt; 0, i.e. y ≥ <see cref="float.Epsilon"/> (−0 and NaN excluded).</summary>
    public static ActivationMask Positive(float[] output, int channels, int plane) =>
        new(output, channels, plane, float.Epsilon, float.PositiveInfinity, null, null, 0f, 0f, 0);

    /// <summary>Positions per plane.</summary>
    public int Plane => plane;

    /// <summary>The values that decide plane <paramref name="p"/> (image p / C, channel p % C) and the bounds, inclusive,
    /// inside which its gradient passes (the plane is <see cref="Plane"/> values from <c>Offset</c> in <c>Values</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (float[] Values, int Offset, float Lo, float Hi) Decider(int p)
    {
        int j = slot is null ? -1 : slot[p % channels];
        return j < 0 ? (output, p * plane, lo, hi) : (preactivation!, (p / channels * tiedCount + j) * plane, tiedLo, tiedHi);
    }

    /// <summary>d = g where plane <paramref name="p"/> lets it pass, else 0 (<paramref name="d"/> may be <paramref name="g"/>).
    /// Compiled optimized from the first call, with <see cref="Decider"/> inlined: it runs once per plane, and an IG
    /// profile found the decider in tier-0 code through most of five calls.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(int p, ReadOnlySpan<float> g, Span<float> d)
    {
        var (values, offset, min, max) = Decider(p);
        GradientMasks.Clamp(values.AsSpan(offset, plane), g, min, max, d);
    }

    /// <summary>d = the masked g over whole images (<paramref name="g"/>, <paramref name="d"/> [N, C, plane], d may be
    /// g), in parallel over planes.</summary>
    public void Apply(float[] g, float[] d)
    {
        if (g.Length != output.Length || d.Length != output.Length)
            throw new ArgumentException($"ActivationMask: gradient of {g.Length} and destination of {d.Length} values for an output of {output.Length}.");
        Parallelism.For(output.Length / Math.Max(1, plane), plane, (start, end) =>
        {
            for (int p = start; p < end; p++) Apply(p, g.AsSpan(p * plane, plane), d.AsSpan(p * plane, plane));
        });
    }
}
