using System.IO.Compression;

namespace Lumen.Imaging;

/// <summary>
/// Decodes PNG: every colour type (grey, RGB, palette, grey+alpha, RGBA) at every legal bit depth (1, 2, 4, 8, 16),
/// tRNS transparency, Adam7 interlace, the five row filters and chunk CRCs.
/// </summary>
/// <remarks>
/// Output: grey → 1 channel; RGB and palette → 3 channels; anything with alpha (grey+alpha, RGBA, or a tRNS chunk)
/// → 4 channels (grey replicated to RGB). Samples below 8 bits are scaled by 255 / (2^depth − 1) (grey) and 16-bit
/// samples keep their high byte, as libpng's <c>png_set_strip_16</c> and Pillow do.
/// Specification: https://www.w3.org/TR/png/ .
/// </remarks>
public static class PngDecoder
{
    /// <summary>The eight bytes every PNG file starts with.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly (int X0, int Y0, int DX, int DY)[] Adam7Passes =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Decodes a PNG file.</summary>
    public static Image Decode(string path) => ImageDecoder.Load(path);

    /// <summary>Decodes PNG bytes; <paramref name="source"/> names them in error messages.</summary>
    /// <exception cref="ImageFormatException">When the data is not a valid PNG.</exception>
    public static Image Decode(byte[] data, string source = "stream") => Decode(new DecodeContext(data, "PNG", source));

    internal static Image Decode(DecodeContext ctx)
    {
        if (ctx.Data.Length < 8 || !ctx.Data.AsSpan(0, 8).SequenceEqual(Signature)) throw ctx.Fail("missing PNG signature.");
        Header? header = null;
        byte[]? palette = null;
        byte[]? transparency = null;
        using var compressed = new MemoryStream();
        long pos = 8;
        bool ended = false;
        while (!ended)
        {
            uint length = ctx.U32BE(pos);
            if (length > int.MaxValue) throw ctx.Fail($"chunk length {length} at offset {pos} is too large.");
            ctx.Need(pos + 4, 4 + length + 4, "a chunk");
            string type = System.Text.Encoding.ASCII.GetString(ctx.Data, (int)pos + 4, 4);
            var body = ctx.Data.AsSpan((int)pos + 8, (int)length);
            uint expectedCrc = ctx.U32BE(pos + 8 + length);
            uint actualCrc = Crc32.Compute(ctx.Data.AsSpan((int)pos + 4, (int)length + 4));
            if (expectedCrc != actualCrc)
                throw ctx.Fail($"CRC mismatch in chunk '{type}' at offset {pos} (stored {expectedCrc:X8}, computed {actualCrc:X8}).");
            if (header is null && type != "IHDR") throw ctx.Fail($"first chunk is '{type}', expected IHDR.");
            switch (type)
            {
                case "IHDR":
                    if (header is not null) throw ctx.Fail("duplicate IHDR chunk.");
                    header = ReadHeader(ctx, pos + 8, length);
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768) throw ctx.Fail($"PLTE length {length} is not 3..768 and a multiple of 3.");
                    palette = body.ToArray();
                    break;
                case "tRNS":
                    transparency = body.ToArray();
                    break;
                case "IDAT":
                    compressed.Write(body);
                    break;
                case "IEND":
                    ended = true;
                    break;
                default:
                    if (char.IsUpper(type[0])) throw ctx.Fail($"unknown critical chunk '{type}'.");
                    break;
            }
            pos += 12 + length;
        }
        var h = header!.Value;
        if (h.ColorType == 3 && palette is null) throw ctx.Fail("palette image without a PLTE chunk.");
        if (compressed.Length == 0) throw ctx.Fail("no IDAT chunk.");
        byte[] raw = Inflate(ctx, compressed, h);
        return Reconstruct(ctx, h, raw, palette, transparency);
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
    {
        public int SamplesPerPixel => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

        public int BitsPerPixel => SamplesPerPixel * BitDepth;

        /// <summary>Filter byte stride: bytes per complete pixel, at least 1.</summary>
        public int FilterStride => Math.Max(1, BitsPerPixel / 8);

        public long RowBytes(int width) => ((long)width * BitsPerPixel + 7) / 8;
    }

    private static Header ReadHeader(DecodeContext ctx, long o, uint length)
    {
        if (length != 13) throw ctx.Fail($"IHDR length is {length}, expected 13.");
        uint w = ctx.U32BE(o), h = ctx.U32BE(o + 4);
        int depth = ctx.Data[o + 8], color = ctx.Data[o + 9];
        int compression = ctx.Data[o + 10], filter = ctx.Data[o + 11], interlace = ctx.Data[o + 12];
        ctx.CheckSize(w, h);
        bool legal = color switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!legal) throw ctx.Fail($"illegal colour type {color} with bit depth {depth}.");
        if (compression != 0) throw ctx.Fail($"unknown compression method {compression}.");
        if (filter != 0) throw ctx.Fail($"unknown filter method {filter}.");
        if (interlace > 1) throw ctx.Fail($"unknown interlace method {interlace}.");
        return new Header((int)w, (int)h, depth, color, interlace == 1);
    }

    private static IEnumerable<(int X0, int Y0, int DX, int DY, int W, int H)> Passes(Header h)
    {
        if (!h.Interlaced)
        {
            yield return (0, 0, 1, 1, h.Width, h.Height);
            yield break;
        }
        foreach (var (x0, y0, dx, dy) in Adam7Passes)
        {
            int w = (h.Width - x0 + dx - 1) / dx, ht = (h.Height - y0 + dy - 1) / dy;
            if (w > 0 && ht > 0) yield return (x0, y0, dx, dy, w, ht);
        }
    }

    private static byte[] Inflate(DecodeContext ctx, MemoryStream compressed, Header h)
    {
        long expected = 0;
        foreach (var p in Passes(h)) expected += p.H * (1 + h.RowBytes(p.W));
        if (expected > Array.MaxLength) throw ctx.Fail($"image data of {expected} bytes is too large.");
        // Inflate in chunks so that a hostile header cannot force a huge allocation before the data runs out.
        using var output = new MemoryStream();
        compressed.Position = 0;
        var chunk = new byte[1 << 16];
        try
        {
            using var z = new ZLibStream(compressed, CompressionMode.Decompress);
            while (output.Length < expected)
            {
                int n = z.Read(chunk, 0, (int)Math.Min(chunk.Length, expected - output.Length));
                if (n == 0) break;
                output.Write(chunk, 0, n);
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException($"PNG ({ctx.Source}): corrupt zlib stream in IDAT: {e.Message}", e);
        }
        if (output.Length < expected) throw ctx.Fail($"truncated image data: {output.Length} of {expected} bytes after decompression.");
        return output.GetBuffer().Length == expected ? output.GetBuffer() : output.ToArray();
    }

    private static Image Reconstruct(DecodeContext ctx, Header h, byte[] raw, byte[]? palette, byte[]? trns)
    {
        bool alpha = h.ColorType is 4 or 6 || trns is not null;
        int channels = alpha ? 4 : h.ColorType == 0 ? 1 : 3;
        var image = new Image(h.Width, h.Height, channels);
        var pixel = new PixelWriter(ctx, h, palette, trns, image);
        int offset = 0;
        foreach (var (x0, y0, dx, dy, w, ht) in Passes(h))
        {
            int rowBytes = (int)h.RowBytes(w);
            var previous = new byte[rowBytes];
            var current = new byte[rowBytes];
            for (int y = 0; y < ht; y++)
            {
                int filter = raw[offset];
                raw.AsSpan(offset + 1, rowBytes).CopyTo(current);
                offset += 1 + rowBytes;
                Unfilter(ctx, filter, current, previous, h.FilterStride);
                for (int x = 0; x < w; x++) pixel.Write(current, x, x0 + x * dx, y0 + (y * dy));
                (previous, current) = (current, previous);
            }
        }
        return image;
    }

    /// <summary>Reverses one PNG row filter in place (None, Sub, Up, Average, Paeth).</summary>
    internal static void Unfilter(DecodeContext ctx, int filter, Span<byte> row, ReadOnlySpan<byte> above, int bpp)
    {
        switch (filter)
        {
            case 0:
                break;
            case 1:
                for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                break;
            case 2:
                for (int i = 0; i < row.Length; i++) row[i] += above[i];
                break;
            case 3:
                for (int i = 0; i < row.Length; i++)
                    row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + above[i]) >> 1);
                break;
            case 4:
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = above[i], c = i >= bpp ? above[i - bpp] : 0;
                    row[i] += (byte)Paeth(a, b, c);
                }
                break;
            default:
                throw ctx.Fail($"unknown row filter type {filter}.");
        }
    }

    /// <summary>The Paeth predictor: whichever of left, above, upper-left is closest to left + above − upper-left.</summary>
    internal static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>Turns the samples of one unfiltered row into 8-bit output pixels.</summary>
    private sealed class PixelWriter(DecodeContext ctx, Header h, byte[]? palette, byte[]? trns, Image image)
    {
        private readonly int maxSample = (1 << h.BitDepth) - 1;

        /// <summary>Raw sample <paramref name="s"/> of pixel <paramref name="x"/> (any bit depth).</summary>
        private int Sample(ReadOnlySpan<byte> row, int x, int s)
        {
            int index = x * h.SamplesPerPixel + s;
            switch (h.BitDepth)
            {
                case 8: return row[index];
                case 16: return row[2 * index] << 8 | row[2 * index + 1];
                default:
                    int bit = index * h.BitDepth, shift = 8 - h.BitDepth - (bit & 7);
                    return (row[bit >> 3] >> shift) & maxSample;
            }
        }

        private byte To8(int v) => h.BitDepth switch { 16 => (byte)(v >> 8), 8 => (byte)v, _ => (byte)(v * 255 / maxSample) };

        private int TrnsSample(int i) => trns!.Length >= 2 * i + 2 ? trns[2 * i] << 8 | trns[2 * i + 1] : -1;

        public void Write(ReadOnlySpan<byte> row, int x, int outX, int outY)
        {
            int o = (outY * image.Width + outX) * image.Channels;
            byte[] d = image.Pixels;
            switch (h.ColorType)
            {
                case 0:
                {
                    int v = Sample(row, x, 0);
                    byte g = To8(v);
                    if (image.Channels == 1) { d[o] = g; break; }
                    d[o] = d[o + 1] = d[o + 2] = g;
                    d[o + 3] = v == TrnsSample(0) ? (byte)0 : (byte)255;
                    break;
                }
                case 2:
                {
                    int r = Sample(row, x, 0), g = Sample(row, x, 1), b = Sample(row, x, 2);
                    d[o] = To8(r);
                    d[o + 1] = To8(g);
                    d[o + 2] = To8(b);
                    if (image.Channels == 4)
                        d[o + 3] = r == TrnsSample(0) && g == TrnsSample(1) && b == TrnsSample(2) ? (byte)0 : (byte)255;
                    break;
                }
                case 3:
                {
                    int i = Sample(row, x, 0);
                    if (3 * i + 2 >= palette!.Length) throw ctx.Fail($"palette index {i} is outside the {palette.Length / 3}-entry palette.");
                    d[o] = palette[3 * i];
                    d[o + 1] = palette[3 * i + 1];
                    d[o + 2] = palette[3 * i + 2];
                    if (image.Channels == 4) d[o + 3] = i < trns!.Length ? trns[i] : (byte)255;
                    break;
                }
                case 4:
                    d[o] = d[o + 1] = d[o + 2] = To8(Sample(row, x, 0));
                    d[o + 3] = To8(Sample(row, x, 1));
                    break;
                default:
                    for (int s = 0; s < 4; s++) d[o + s] = To8(Sample(row, x, s));
                    break;
            }
        }
    }
}
