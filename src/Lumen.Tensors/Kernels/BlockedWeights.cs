using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Convolution weights and biases reordered for the channel-blocked kernels (<see cref="BlockedPointwise"/>,
/// <see cref="BlockedDepthwise"/>), kept between calls for read-only storage (<see cref="Tensor.MakeReadOnly"/>, as a
/// loaded ONNX model's initializers are) and made per call for writable storage.
/// </summary>
/// <remarks>Kept on the storage's <see cref="ReadOnlyMark"/> in a table of its own (<see cref="PackedWeights"/> owns
/// the mark's <c>Derived</c> slot), so a packing dies with its weights, and <see cref="Tensor.MakeWritable"/>, which
/// drops the mark, invalidates it. Thread-safe: two threads that both miss pack twice and one packing is kept. The
/// packings are about the weights' size (channels rounded up to 16), so they are not counted in
/// <see cref="PackedWeights.MaxBytes"/>.</remarks>
internal static class BlockedWeights
{
    private static readonly ConditionalWeakTable<ReadOnlyMark, ConcurrentDictionary<(int Kind, int Lanes, int Out, int In), float[]>> Kept = new();

    /// <summary>Pointwise weights W [O, C] (row-major, as [O, C, 1, 1]) as [⌈O/16⌉][⌈C/16⌉·16][16]: output block ob,
    /// input channel c holds w[16·ob + lane, c], zero past O or C (blocks of <paramref name="lanes"/> = 16 or 8 channels).</summary>
    public static float[] Pointwise(float[] w, int outChannels, int inChannels, int lanes = BlockedLayout.Lanes) =>
        Get(w, 0, lanes, outChannels, inChannels, (long)outChannels * inChannels,
            () => Blocks(outChannels, inChannels, BlockedLayout.Blocks(inChannels, lanes) * lanes, lanes, (o, c) => w[o * inChannels + c]));

    /// <summary>Depthwise 3×3 weights W [C, 1, 3, 3] as [⌈C/16⌉][9][16]: block cb, tap t holds w[16·cb + lane, t], zero past C
    /// (blocks of <paramref name="lanes"/> = 16 or 8 channels).</summary>
    public static float[] Depthwise(float[] w, int channels, int lanes = BlockedLayout.Lanes) =>
        Get(w, 1, lanes, channels, 9, (long)channels * 9, () => Blocks(channels, 9, 9, lanes, (c, t) => w[c * 9 + t]));

    /// <summary>The pointwise weights of the adjoint (the input gradient) of the convolution with weights W [O, C]: Wᵀ,
    /// a map of O channels to C, packed as <see cref="Pointwise"/> packs a [C, O] matrix.</summary>
    public static float[] PointwiseTransposed(float[] w, int outChannels, int inChannels, int lanes = BlockedLayout.Lanes) =>
        Get(w, 3, lanes, outChannels, inChannels, (long)outChannels * inChannels,
            () => Blocks(inChannels, outChannels, BlockedLayout.Blocks(outChannels, lanes) * lanes, lanes, (c, o) => w[o * inChannels + c]));

    /// <summary>Depthwise 3×3 weights turned by 180° (tap t holds w[c, 8 − t]), packed as <see cref="Depthwise"/>: the
    /// kernel of a stride-1 depthwise convolution's adjoint.</summary>
    public static float[] DepthwiseFlipped(float[] w, int channels, int lanes = BlockedLayout.Lanes) =>
        Get(w, 4, lanes, channels, 9, (long)channels * 9, () => Blocks(channels, 9, 9, lanes, (c, t) => w[c * 9 + 8 - t]));

    /// <summary>A [rows, cols] matrix (element (r, j) = <paramref name="at"/>(r, j)) as blocks of <paramref name="lanes"/>
    /// rows, [⌈rows/lanes⌉][<paramref name="depth"/>][lanes]: block rb, step j holds (lanes·rb + lane, j), zero past the
    /// rows or columns; pinned, for the kernels' aligned loads.</summary>
    private static float[] Blocks(int rows, int cols, int depth, int lanes, Func<int, int, float> at)
    {
        var packed = GC.AllocateArray<float>(BlockedLayout.Blocks(rows, lanes) * depth * lanes, pinned: true);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                packed[((r / lanes) * depth + j) * lanes + r % lanes] = at(r, j);
        return packed;
    }

    /// <summary>The bias b [O] padded with zeros to ⌈O/16⌉·16 (⌈O/lanes⌉·lanes); when b is null, shared read-only zeros
    /// at least that long (<see cref="BlockedDepthwise.Zeros"/>), not a new array each call.</summary>
    public static float[] Bias(float[]? b, int channels, int lanes = BlockedLayout.Lanes)
    {
        float[] Pack()
        {
            var packed = GC.AllocateArray<float>(BlockedLayout.Blocks(channels, lanes) * lanes, pinned: true);
            b!.AsSpan(0, channels).CopyTo(packed);
            return packed;
        }
        return b is null ? BlockedDepthwise.Zeros(BlockedLayout.Blocks(channels, lanes) * lanes) : Get(b, 2, lanes, channels, 1, channels, Pack);
    }

    private static float[] Get(float[] w, int kind, int lanes, int rows, int columns, long needed, Func<float[]> pack)
    {
        if (lanes is not (BlockedLayout.Lanes or 8))
            throw new ArgumentException($"BlockedWeights: blocks of {lanes} channels; only 16 and 8 are packed.");
        if (w.LongLength < needed)
            throw new ArgumentException($"BlockedWeights: {w.Length} weights do not hold {rows} × {columns}.");
        if (Tensor.MarkOf(w) is not { } mark) return pack();
        return Kept.GetOrCreateValue(mark).GetOrAdd((kind, lanes, rows, columns), _ => pack());
    }
}
