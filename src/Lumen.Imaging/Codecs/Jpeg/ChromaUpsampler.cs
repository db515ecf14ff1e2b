namespace Lumen.Imaging;

/// <summary>
/// Expands a subsampled JPEG component plane to full resolution the way libjpeg(-turbo) does by default
/// ("fancy upsampling"): triangle filters for 2×1, 2×2 and 1×2 subsampling, pixel replication otherwise.
/// </summary>
/// <remarks>
/// Each output sample is ¾ of the nearer input sample plus ¼ of the next nearer, separably; edges replicate the
/// outermost samples. For 2×2 the vertical ¾/¼ sums are combined horizontally with alternating rounding biases
/// 8 and 7 (out = (3·near + far + bias) >> 4), for 2×1 with biases 1 and 2 (>> 2), as in libjpeg's jdsample.c.
/// </remarks>
internal static class ChromaUpsampler
{
    /// <summary>Upsamples a <paramref name="width"/>×<paramref name="height"/> plane (row pitch
    /// <paramref name="stride"/>) by integer factors to an outW×outH plane.</summary>
    public static byte[] Upsample(byte[] plane, int stride, int width, int height, int fx, int fy, int outW, int outH)
    {
        var output = new byte[outW * outH];
        for (int oy = 0; oy < outH; oy++)
        {
            int iy = oy / fy;
            // Vertical neighbour for triangle filters: the row above for the upper output row, below for the lower.
            int ny = Math.Clamp(oy % 2 == 0 ? iy - 1 : iy + 1, 0, height - 1);
            var near = plane.AsSpan(Math.Min(iy, height - 1) * stride, width);
            var far = plane.AsSpan(ny * stride, width);
            var dst = output.AsSpan(oy * outW, outW);
            if (fx == 2 && fy == 2 && width > 2) H2V2Row(near, far, dst);
            else if (fx == 2 && fy == 1 && width > 2) H2V1Row(near, dst);
            else if (fx == 1 && fy == 2) H1V2Row(near, far, dst, oy % 2 == 0 ? 1 : 2);
            else
                for (int ox = 0; ox < outW; ox++) dst[ox] = near[Math.Min(ox / fx, width - 1)];
        }
        return output;
    }

    private static void Put(Span<byte> dst, int index, int value)
    {
        if (index < dst.Length) dst[index] = (byte)value;
    }

    private static void H2V1Row(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        int n = src.Length;
        for (int i = 0; i < n; i++)
        {
            int v = src[i];
            int left = i == 0 ? v : (3 * v + src[i - 1] + 1) >> 2;
            int right = i == n - 1 ? v : (3 * v + src[i + 1] + 2) >> 2;
            Put(dst, 2 * i, left);
            Put(dst, 2 * i + 1, right);
        }
    }

    private static void H2V2Row(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, Span<byte> dst)
    {
        int n = near.Length;
        for (int i = 0; i < n; i++)
        {
            int cur = 3 * near[i] + far[i];
            int left = i == 0 ? (4 * cur + 8) >> 4 : (3 * cur + 3 * near[i - 1] + far[i - 1] + 8) >> 4;
            int right = i == n - 1 ? (4 * cur + 7) >> 4 : (3 * cur + 3 * near[i + 1] + far[i + 1] + 7) >> 4;
            Put(dst, 2 * i, left);
            Put(dst, 2 * i + 1, right);
        }
    }

    private static void H1V2Row(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, Span<byte> dst, int bias)
    {
        for (int i = 0; i < dst.Length && i < near.Length; i++) dst[i] = (byte)((3 * near[i] + far[i] + bias) >> 2);
    }
}
