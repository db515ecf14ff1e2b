using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The channel-blocked activation layout NCHW16c of ONNX Runtime's MLAS (its "NCHWc" with AVX-512's 16 lanes):
/// a tensor [N, C, H, W] stored as [N][⌈C/16⌉][H][W][16], channel c of position p at block c / 16, lane c % 16, the
/// lanes past C zero. A blocked convolution then reads one input value per (position, channel) as a broadcast and
/// writes 16 output channels of a position as one vector (<see cref="BlockedPointwise"/>, <see cref="BlockedDepthwise"/>).
/// </summary>
/// <remarks>Reordering is a copy: values are bitwise kept.</remarks>
internal static class BlockedLayout
{
    /// <summary>Channels per block: one AVX-512 vector of floats.</summary>
    public const int Lanes = 16;

    /// <summary>Blocks of <paramref name="channels"/> channels: ⌈C / 16⌉.</summary>
    public static int Blocks(int channels) => CeilDiv(channels, Lanes);

    /// <summary>Floats of a blocked tensor of <paramref name="batch"/> images of <paramref name="channels"/> channels of
    /// <paramref name="plane"/> positions.</summary>
    public static int Length(int batch, int channels, int plane) => checked(batch * Blocks(channels) * plane * Lanes);

    /// <summary>Reorders x [N, C, plane] (NCHW) into y (blocked, zero lanes past C).</summary>
    public static void ToBlocked(float[] x, int batch, int channels, int plane, float[] y)
    {
        Check(x, y, batch, channels, plane, nameof(ToBlocked));
        int blocks = Blocks(channels);
        Parallelism.For(batch * blocks, (long)plane * Lanes, (start, end) =>
        {
            for (int item = start; item < end; item++)
            {
                int n = item / blocks, cb = item % blocks, lanes = Math.Min(Lanes, channels - cb * Lanes);
                var target = y.AsSpan(item * plane * Lanes, plane * Lanes);
                if (lanes < Lanes) target.Clear();
                for (int l = 0; l < lanes; l++)
                {
                    var source = x.AsSpan((n * channels + cb * Lanes + l) * plane, plane);
                    for (int p = 0; p < source.Length; p++) target[p * Lanes + l] = source[p];
                }
            }
        });
    }

    /// <summary>Reorders blocked y back into x [N, C, plane] (NCHW), dropping the zero lanes.</summary>
    public static void FromBlocked(float[] y, int batch, int channels, int plane, float[] x)
    {
        Check(x, y, batch, channels, plane, nameof(FromBlocked));
        Parallelism.For(batch * channels, plane, (start, end) =>
        {
            for (int row = start; row < end; row++)
            {
                int n = row / channels, c = row % channels;
                var source = y.AsSpan(((n * Blocks(channels) + c / Lanes) * plane) * Lanes + c % Lanes);
                var target = x.AsSpan(row * plane, plane);
                for (int p = 0; p < target.Length; p++) target[p] = source[p * Lanes];
            }
        });
    }

    private static void Check(float[] x, float[] y, int batch, int channels, int plane, string name)
    {
        if (batch < 0 || channels <= 0 || plane <= 0)
            throw new ArgumentException($"BlockedLayout.{name}: {batch} image(s) of {channels} channel(s) of {plane} position(s) is no tensor.");
        if (x.Length < (long)batch * channels * plane)
            throw new ArgumentException($"BlockedLayout.{name}: the NCHW array holds {x.Length} floats, [{batch}, {channels}, {plane}] needs {(long)batch * channels * plane}.");
        if (y.Length < Length(batch, channels, plane))
            throw new ArgumentException($"BlockedLayout.{name}: the blocked array holds {y.Length} floats, [{batch}, {Blocks(channels)}, {plane}, {Lanes}] needs {Length(batch, channels, plane)}.");
    }
}
