namespace Lumen.Imaging;

/// <summary>
/// Decodes the Netpbm formats: PBM (P1 text, P4 binary), PGM (P2, P5) and PPM (P3, P6), with any maxval up to
/// 65535 (two big-endian bytes per sample above 255).
/// </summary>
/// <remarks>
/// Output: PBM and PGM → 1 channel, PPM → 3 channels. PBM 1 (black) becomes 0 and 0 (white) becomes 255.
/// Samples are rescaled to 0..255 as round(v · 255 / maxval) when maxval ≠ 255.
/// Format reference: https://netpbm.sourceforge.net/doc/pnm.html .
/// </remarks>
public static class PnmDecoder
{
    /// <summary>Decodes PBM/PGM/PPM bytes; <paramref name="source"/> names them in error messages.</summary>
    /// <exception cref="ImageFormatException">When the data is not a valid Netpbm image.</exception>
    public static Image Decode(byte[] data, string source = "stream") => Decode(new DecodeContext(data, "PNM", source));

    internal static Image Decode(DecodeContext ctx)
    {
        ctx.Need(0, 2, "the magic number");
        if (ctx.Data[0] != 'P' || ctx.Data[1] is < (byte)'1' or > (byte)'6') throw ctx.Fail("missing P1..P6 magic number.");
        int kind = ctx.Data[1] - '0';
        int pos = 2;
        long width = ReadNumber(ctx, ref pos, "width");
        long height = ReadNumber(ctx, ref pos, "height");
        ctx.CheckSize(width, height);
        bool bitmap = kind is 1 or 4;
        long maxval = bitmap ? 1 : ReadNumber(ctx, ref pos, "maxval");
        if (maxval is < 1 or > 65535) throw ctx.Fail($"maxval {maxval} is outside 1..65535.");
        int channels = kind is 3 or 6 ? 3 : 1;
        var image = new Image((int)width, (int)height, channels);
        int count = image.Pixels.Length;
        if (kind <= 3)
        {
            for (int i = 0; i < count; i++)
            {
                long v = bitmap ? ReadBit(ctx, ref pos) : ReadNumber(ctx, ref pos, "sample");
                if (v > maxval) throw ctx.Fail($"sample {v} exceeds maxval {maxval}.");
                image.Pixels[i] = bitmap ? (byte)(v == 1 ? 0 : 255) : Scale(v, maxval);
            }
            return image;
        }
        pos++; // exactly one whitespace byte separates the header from binary data
        if (kind == 4)
        {
            long rowBytes = (width + 7) / 8;
            ctx.Need(pos, rowBytes * height, "the bitmap rows");
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int bit = (ctx.Data[pos + y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
                    image.Pixels[y * width + x] = (byte)(bit == 1 ? 0 : 255);
                }
            return image;
        }
        int bytesPerSample = maxval > 255 ? 2 : 1;
        ctx.Need(pos, (long)count * bytesPerSample, "the pixel samples");
        for (int i = 0; i < count; i++)
        {
            long v = bytesPerSample == 2 ? ctx.Data[pos + 2 * i] << 8 | ctx.Data[pos + 2 * i + 1] : ctx.Data[pos + i];
            if (v > maxval) throw ctx.Fail($"sample {v} exceeds maxval {maxval}.");
            image.Pixels[i] = Scale(v, maxval);
        }
        return image;
    }

    private static byte Scale(long v, long maxval) => maxval == 255 ? (byte)v : (byte)((v * 255 + maxval / 2) / maxval);

    private static void SkipSpaceAndComments(DecodeContext ctx, ref int pos)
    {
        while (pos < ctx.Data.Length)
        {
            byte b = ctx.Data[pos];
            if (b == '#')
                while (pos < ctx.Data.Length && ctx.Data[pos] is not ((byte)'\n' or (byte)'\r')) pos++;
            else if (b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C) pos++;
            else return;
        }
    }

    private static long ReadNumber(DecodeContext ctx, ref int pos, string what)
    {
        SkipSpaceAndComments(ctx, ref pos);
        long value = 0;
        int start = pos;
        while (pos < ctx.Data.Length && ctx.Data[pos] is >= (byte)'0' and <= (byte)'9')
        {
            value = value * 10 + (ctx.Data[pos] - '0');
            if (value > int.MaxValue) throw ctx.Fail($"{what} is too large.");
            pos++;
        }
        if (pos == start) throw ctx.Fail(pos >= ctx.Data.Length ? $"truncated before the {what}." : $"expected a decimal {what} at offset {pos}.");
        return value;
    }

    private static long ReadBit(DecodeContext ctx, ref int pos)
    {
        SkipSpaceAndComments(ctx, ref pos);
        if (pos >= ctx.Data.Length) throw ctx.Fail("truncated before a bitmap sample.");
        byte b = ctx.Data[pos++];
        if (b is not ((byte)'0' or (byte)'1')) throw ctx.Fail($"expected 0 or 1 at offset {pos - 1}.");
        return b - '0';
    }
}
