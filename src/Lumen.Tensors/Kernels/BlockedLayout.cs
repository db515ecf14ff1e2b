using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Lumen.Tensors.Kernels.IntMath;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The channel-blocked activation layout NCHW16c of ONNX Runtime's MLAS (its "NCHWc" with AVX-512's 16 lanes):
/// a tensor [N, C, H, W] stored as [N][⌈C/16⌉][H][W][16], channel c of position p at block c / 16, lane c % 16, the
/// lanes past C zero. A blocked convolution then reads one input value per (position, channel) as a broadcast and
/// writes 16 output channels of a position as one vector (<see cref="BlockedPointwise"/>, <see cref="BlockedDepthwise"/>).
/// AVX2 machines use 8-channel blocks, [N][⌈C/8⌉][H][W][8] (NCHW8c; <see cref="MachineLanes"/>), through the same
/// methods with a lanes argument.
/// </summary>
/// <remarks>Reordering is a copy: values are bitwise kept.</remarks>
internal static class BlockedLayout
{
    /// <summary>Channels per block: one AVX-512 vector of floats.</summary>
    public const int Lanes = 16;

    /// <summary>Channels per block that this machine's blocked kernels use: 16 (NCHW16c) where AVX-512 is accelerated,
    /// else 8 (NCHW8c, <see cref="BlockedPointwise8"/>, <see cref="BlockedDepthwise8"/>) where AVX2 and FMA are, else 0 (no
    /// blocked kernels).</summary>
    public static int MachineLanes { get; } = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? Lanes
        : Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported ? 8 : 0;

    /// <summary>Blocks of <paramref name="channels"/> channels: ⌈C / 16⌉ (⌈C / lanes⌉ for blocks of <paramref name="lanes"/>).</summary>
    public static int Blocks(int channels, int lanes = Lanes) => CeilDiv(channels, lanes);

    /// <summary>The output side of a convolution over an input side <paramref name="size"/> padded by
    /// <paramref name="before"/> and <paramref name="after"/>, kernel side <paramref name="kernel"/>, at
    /// <paramref name="stride"/>: ⌊(size + before + after − kernel) / stride⌋ + 1.</summary>
    public static int OutputSize(int size, int kernel, int stride, int before, int after) => (size + before + after - kernel) / stride + 1;

    /// <summary>Floats of a blocked tensor of <paramref name="batch"/> images of <paramref name="channels"/> channels of
    /// <paramref name="plane"/> positions.</summary>
    public static int Length(int batch, int channels, int plane, int lanes = Lanes) => checked(batch * Blocks(channels, lanes) * plane * lanes);

    /// <summary>Reorders x [N, C, plane] (NCHW, from <paramref name="offset"/> on) into y (blocked, zero lanes past C):
    /// 16 channels × 16 positions at a time as one in-register transpose (<see cref="Transpose16"/>) where AVX-512 is
    /// available, 8 × 8 by <see cref="GemmPacking.Transpose8x8"/> where AVX is (blocks of <paramref name="lanes"/> channels: 16 or 8).</summary>
    public static void ToBlocked(float[] x, int batch, int channels, int plane, float[] y, int offset = 0, int lanes = Lanes) =>
        Reorder(x, offset, y, batch, channels, plane, toBlocked: true, lanes);

    /// <summary>Reorders blocked y back into x [N, C, plane] (NCHW, from <paramref name="offset"/> on), dropping the
    /// zero lanes (the same transposes).</summary>
    public static void FromBlocked(float[] y, int batch, int channels, int plane, float[] x, int offset = 0, int lanes = Lanes) =>
        Reorder(x, offset, y, batch, channels, plane, toBlocked: false, lanes);

    /// <summary>One block of <paramref name="size"/> (16 or 8) channels of one image at a time: the channel rows of x
    /// (plane apart) and the position rows of y (lanes apart) are each other's transposes.</summary>
    private static unsafe void Reorder(float[] x, int offset, float[] y, int batch, int channels, int plane, bool toBlocked, int size)
    {
        string name = toBlocked ? nameof(ToBlocked) : nameof(FromBlocked);
        if (size is not (Lanes or 8))
            throw new ArgumentException($"BlockedLayout.{name}: blocks of {size} channels; only 16 and 8 are laid out.");
        if (batch < 0 || channels <= 0 || plane <= 0)
            throw new ArgumentException($"BlockedLayout.{name}: {batch} image(s) of {channels} channel(s) of {plane} position(s) is no tensor.");
        if (offset < 0 || x.Length - (long)offset < (long)batch * channels * plane)
            throw new ArgumentException($"BlockedLayout.{name}: the NCHW array holds {x.Length} floats, [{batch}, {channels}, {plane}] from {offset} on needs {offset + (long)batch * channels * plane}.");
        if (y.Length < Length(batch, channels, plane, size))
            throw new ArgumentException($"BlockedLayout.{name}: the blocked array holds {y.Length} floats, [{batch}, {Blocks(channels, size)}, {plane}, {size}] needs {Length(batch, channels, plane, size)}.");
        int blocks = Blocks(channels, size);
        Parallelism.For(batch * blocks, (long)plane * size, (start, end) =>
        {
            fixed (float* xs = x, ys = y)
                for (int item = start; item < end; item++)
                {
                    int n = item / blocks, cb = item % blocks, lanes = Math.Min(size, channels - cb * size), p = 0;
                    float* rows = xs + offset + ((nint)n * channels + cb * size) * plane, positions = ys + (nint)item * plane * size;
                    if (toBlocked && lanes < size) new Span<float>(positions, plane * size).Clear();
                    if (lanes == size && size == Lanes && Avx512F.IsSupported)
                        for (; p + size <= plane; p += size)
                        {
                            if (toBlocked) Transpose16(rows + p, plane, positions + (nint)p * size, size);
                            else Transpose16(positions + (nint)p * size, size, rows + p, plane);
                        }
                    if (lanes == 8 && size == 8 && Avx.IsSupported)
                        for (; p + 8 <= plane; p += 8)
                        {
                            if (toBlocked) GemmPacking.Transpose8x8(rows + p, plane, positions + (nint)p * 8, 8, 8);
                            else GemmPacking.Transpose8x8(positions + (nint)p * 8, 8, rows + p, plane, 8);
                        }
                    for (; p < plane; p++)
                        for (int l = 0; l < lanes; l++)
                        {
                            if (toBlocked) positions[(nint)p * size + l] = rows[(nint)l * plane + p];
                            else rows[(nint)l * plane + p] = positions[(nint)p * size + l];
                        }
                }
        });
    }

    /// <summary>Writes the transpose of the 16×16 matrix whose row r is at <paramref name="source"/> + r·sourceStride
    /// as rows at <paramref name="target"/> + r·targetStride: unpacks of float pairs, then of pairs of pairs, then two
    /// rounds of 128-bit lane shuffles (64 shuffles for 256 values).</summary>
    internal static unsafe void Transpose16(float* source, nint sourceStride, float* target, nint targetStride)
    {
        // rows in pairs: per 128-bit lane j, lo = [a4j, b4j, a4j+1, b4j+1], hi = [a4j+2, b4j+2, a4j+3, b4j+3]
        var s = stackalloc Vector512<float>[16];
        for (int g = 0; g < 4; g++)
        {
            float* r = source + 4 * g * sourceStride;
            Vector512<float> r0 = Vector512.Load(r), r1 = Vector512.Load(r + sourceStride), r2 = Vector512.Load(r + 2 * sourceStride), r3 = Vector512.Load(r + 3 * sourceStride);
            Vector512<float> lo01 = Avx512F.UnpackLow(r0, r1), hi01 = Avx512F.UnpackHigh(r0, r1), lo23 = Avx512F.UnpackLow(r2, r3), hi23 = Avx512F.UnpackHigh(r2, r3);
            // per lane j: column 4j + m of the four rows 4g … 4g + 3
            s[4 * g] = Avx512F.Shuffle(lo01, lo23, 0x44);
            s[4 * g + 1] = Avx512F.Shuffle(lo01, lo23, 0xEE);
            s[4 * g + 2] = Avx512F.Shuffle(hi01, hi23, 0x44);
            s[4 * g + 3] = Avx512F.Shuffle(hi01, hi23, 0xEE);
        }
        for (int m = 0; m < 4; m++)
        {
            // output row 4j + m: lane g of it is lane j of s[4g + m]
            Vector512<float> s0 = s[m], s1 = s[4 + m], s2 = s[8 + m], s3 = s[12 + m];
            Vector512<float> p0 = Avx512F.Shuffle4x128(s0, s1, 0x44), p1 = Avx512F.Shuffle4x128(s0, s1, 0xEE);
            Vector512<float> p2 = Avx512F.Shuffle4x128(s2, s3, 0x44), p3 = Avx512F.Shuffle4x128(s2, s3, 0xEE);
            Avx512F.Shuffle4x128(p0, p2, 0x88).Store(target + m * targetStride);
            Avx512F.Shuffle4x128(p0, p2, 0xDD).Store(target + (4 + m) * targetStride);
            Avx512F.Shuffle4x128(p1, p3, 0x88).Store(target + (8 + m) * targetStride);
            Avx512F.Shuffle4x128(p1, p3, 0xDD).Store(target + (12 + m) * targetStride);
        }
    }
}
