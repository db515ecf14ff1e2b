using System.Buffers;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The weights of a 3×3 convolution transformed for Winograd's F(m×m, 3×3): U = G·g·Gᵀ (α×α) for each output and
/// input channel, regrouped into α² matrices U_ξ [O, C] (ξ a position of the transformed tile), each packed as the A
/// operand of the GEMM M_ξ = U_ξ·V_ξ (<see cref="GemmPackedA"/>, for the tile's <see cref="IWinogradTile.Path"/>). Read-only weights keep theirs between calls
/// (<see cref="PackedWeights.GetTransformed"/>); writable weights are transformed per call, as they may change.
/// </summary>
/// <remarks>Each U is computed in double and rounded once to float (G holds fractions such as 1/6 and 1/24 that float
/// does not represent exactly).</remarks>
internal static class WinogradWeights
{
    /// <summary>The α² packed U_ξ of <paramref name="w"/> [O, C, 3, 3]: kept ones (release does nothing) or, for
    /// writable weights or past the cache's bound, ones packed for this call only (release them with
    /// <see cref="Release"/>). <paramref name="flipped"/>: of the input gradient's weights, w [C, O, 3, 3] read as
    /// w'[o, c, u, v] = w[c, o, 2 − u, 2 − v] (<see cref="WinogradConvolution.TryBackwardInput"/>).</summary>
    public static GemmPackedA[] Get<TTile>(float[] w, int outChannels, int inChannels, bool flipped = false) where TTile : struct, IWinogradTile =>
        PackedWeights.GetTransformed(w, TTile.M, TTile.Alpha * TTile.Alpha, outChannels, inChannels, () => Transform<TTile>(w, outChannels, inChannels, kept: true, flipped), flipped)
        ?? Transform<TTile>(w, outChannels, inChannels, kept: false, flipped);

    /// <summary>Gives per-call packings back to the pool (kept ones stay).</summary>
    public static void Release(GemmPackedA[] packed)
    {
        foreach (var weights in packed) weights?.Dispose();
    }

    /// <summary>U_ξ[o, c] = (G·w[o, c]·Gᵀ)[ξ] for every position ξ, each U_ξ packed; <paramref name="flipped"/>, of
    /// w'[o, c] = w[c, o] turned by 180°.</summary>
    internal static GemmPackedA[] Transform<TTile>(float[] w, int outChannels, int inChannels, bool kept, bool flipped = false) where TTile : struct, IWinogradTile
    {
        int alpha = TTile.Alpha, positions = alpha * alpha, size = outChannels * inChannels;
        if (w.LongLength < (long)size * 9)
            throw new ArgumentException($"WinogradWeights: {w.Length} weights are too few for [{outChannels}, {inChannels}, 3, 3].", nameof(w));
        var u = ArrayPool<float>.Shared.Rent(positions * size);
        var packed = new GemmPackedA[positions];
        try
        {
            var g = TTile.G;
            Parallelism.For(outChannels, (long)inChannels * positions * 12, (first, last) =>
            {
                Span<double> half = stackalloc double[3 * 8];       // G·w (α×3), α ≤ 8
                Span<float> turned = stackalloc float[9];
                for (int o = first; o < last; o++)
                    for (int c = 0; c < inChannels; c++)
                    {
                        scoped ReadOnlySpan<float> kernel = w.AsSpan((flipped ? c * outChannels + o : o * inChannels + c) * 9, 9);
                        if (flipped)
                        {
                            for (int t = 0; t < 9; t++) turned[t] = kernel[8 - t];
                            kernel = turned;
                        }
                        for (int i = 0; i < alpha; i++)
                            for (int b = 0; b < 3; b++)
                                half[i * 3 + b] = g[i * 3] * kernel[b] + g[i * 3 + 1] * kernel[3 + b] + g[i * 3 + 2] * kernel[6 + b];
                        for (int i = 0; i < alpha; i++)
                            for (int j = 0; j < alpha; j++)
                            {
                                double value = half[i * 3] * g[j * 3] + half[i * 3 + 1] * g[j * 3 + 1] + half[i * 3 + 2] * g[j * 3 + 2];
                                u[(i * alpha + j) * size + o * inChannels + c] = (float)value;
                            }
                    }
            });
            for (int position = 0; position < positions; position++)
                packed[position] = GemmPackedA.Pack(u.AsSpan(position * size, size), outChannels, inChannels, false, TTile.Path, Parallelism.MaxDegree, kept);
        }
        catch
        {
            Release(packed);
            throw;
        }
        finally { ArrayPool<float>.Shared.Return(u); }
        return packed;
    }
}
