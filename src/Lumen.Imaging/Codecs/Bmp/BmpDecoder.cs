using System.Numerics;

namespace Lumen.Imaging;

/// <summary>
/// Decodes Windows BMP: 1-, 4- and 8-bit palette, 16-bit (5-5-5 or bit fields), 24-bit BGR and 32-bit (BGRX or bit
/// fields with alpha), bottom-up and top-down, with the OS/2 core header and the Windows 3.x–5 info headers.
/// </summary>
/// <remarks>
/// Output: palette images whose palette is grey (R = G = B for every entry) → 1 channel, as Pillow's mode "L";
/// other palette, 16- and 24-bit images and 32-bit images without an alpha mask → 3 channels (RGB);
/// 32-bit with an alpha mask → 4 channels. RLE-compressed and embedded JPEG/PNG bitmaps are refused.
/// Format reference: Microsoft's BITMAPINFOHEADER / BITMAPV5HEADER documentation.
/// </remarks>
public static class BmpDecoder
{
    /// <summary>Decodes BMP bytes; <paramref name="source"/> names them in error messages.</summary>
    /// <exception cref="ImageFormatException">When the data is not a valid, supported BMP.</exception>
    public static Image Decode(byte[] data, string source = "stream") => Decode(new DecodeContext(data, "BMP", source));

    internal static Image Decode(DecodeContext ctx)
    {
        ctx.Need(0, 26, "the file and info headers");
        if (ctx.Data[0] != 'B' || ctx.Data[1] != 'M') throw ctx.Fail("missing 'BM' signature.");
        uint pixelOffset = ctx.U32LE(10);
        uint headerSize = ctx.U32LE(14);
        if (headerSize is not (12 or 16 or 40 or 52 or 56 or 64 or 108 or 124))
            throw ctx.Fail($"unsupported info header size {headerSize}.");
        ctx.Need(14, headerSize, "the info header");
        long width, height;
        int bpp;
        uint compression = 0, colorsUsed = 0;
        if (headerSize == 12)
        {
            width = ctx.U16LE(18);
            height = (short)ctx.U16LE(20);
            bpp = ctx.U16LE(24);
        }
        else
        {
            width = (int)ctx.U32LE(18);
            height = (int)ctx.U32LE(22);
            bpp = ctx.U16LE(28);
            compression = ctx.U32LE(30);
            colorsUsed = ctx.U32LE(46);
        }
        bool topDown = height < 0;
        height = Math.Abs(height);
        ctx.CheckSize(width, height);
        if (bpp is not (1 or 4 or 8 or 16 or 24 or 32)) throw ctx.Fail($"unsupported bit depth {bpp}.");
        if (compression is 1 or 2) throw ctx.Fail("RLE-compressed bitmaps are not supported.");
        if (compression is 4 or 5) throw ctx.Fail("embedded JPEG/PNG bitmaps are not supported.");
        if (compression is not (0 or 3 or 6)) throw ctx.Fail($"unknown compression {compression}.");

        uint[] masks = Masks(ctx, headerSize, bpp, compression);
        long stride = (bpp * width + 31) / 32 * 4;
        ctx.Need(pixelOffset, stride * (height - 1) + (bpp * width + 7) / 8, "the pixel array");
        int w = (int)width, h = (int)height;
        if (bpp <= 8)
        {
            int entrySize = headerSize == 12 ? 3 : 4;
            long count = colorsUsed == 0 || colorsUsed > (1u << bpp) ? 1L << bpp : colorsUsed;
            long paletteStart = 14 + headerSize + (compression == 3 && headerSize == 40 ? 12 : 0);
            count = Math.Min(count, Math.Max(0, (pixelOffset - paletteStart) / entrySize));
            if (count <= 0) throw ctx.Fail("palette image without a palette.");
            ctx.Need(paletteStart, count * entrySize, "the palette");
            return DecodePalette(ctx, w, h, bpp, stride, pixelOffset, topDown, paletteStart, (int)count, entrySize);
        }
        return DecodeDirect(ctx, w, h, bpp, stride, pixelOffset, topDown, masks);
    }

    /// <summary>Red, green, blue, alpha bit masks for 16- and 32-bit pixels (defaults 5-5-5 and 8-8-8).</summary>
    private static uint[] Masks(DecodeContext ctx, uint headerSize, int bpp, uint compression)
    {
        if (compression is 3 or 6)
        {
            if (bpp is not (16 or 32)) throw ctx.Fail($"bit-field compression with {bpp} bits per pixel.");
            ctx.Need(54, 12, "the colour masks");
            uint alpha = compression == 6 || headerSize >= 56 ? ctx.U32LE(66) : 0;
            if (compression == 6 && headerSize == 40) ctx.Need(54, 16, "the colour masks");
            return [ctx.U32LE(54), ctx.U32LE(58), ctx.U32LE(62), alpha];
        }
        return bpp == 16 ? [0x7C00, 0x03E0, 0x001F, 0] : [0x00FF0000, 0x0000FF00, 0x000000FF, 0];
    }

    private static Image DecodePalette(DecodeContext ctx, int w, int h, int bpp, long stride, long offset, bool topDown,
        long paletteStart, int count, int entrySize)
    {
        var palette = new byte[count * 3];
        bool grey = true;
        for (int i = 0; i < count; i++)
        {
            long p = paletteStart + (long)i * entrySize;
            palette[3 * i] = ctx.Data[p + 2];
            palette[3 * i + 1] = ctx.Data[p + 1];
            palette[3 * i + 2] = ctx.Data[p];
            grey &= palette[3 * i] == palette[3 * i + 1] && palette[3 * i + 1] == palette[3 * i + 2];
        }
        var image = new Image(w, h, grey ? 1 : 3);
        int mask = (1 << bpp) - 1;
        for (int y = 0; y < h; y++)
        {
            long row = offset + (topDown ? y : h - 1 - y) * stride;
            for (int x = 0; x < w; x++)
            {
                int bit = x * bpp;
                int index = (ctx.Data[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & mask;
                if (index >= count) index = 0;
                int o = (y * w + x) * image.Channels;
                image.Pixels[o] = palette[3 * index];
                if (grey) continue;
                image.Pixels[o + 1] = palette[3 * index + 1];
                image.Pixels[o + 2] = palette[3 * index + 2];
            }
        }
        return image;
    }

    private static Image DecodeDirect(DecodeContext ctx, int w, int h, int bpp, long stride, long offset, bool topDown, uint[] masks)
    {
        bool alpha = bpp == 32 && masks[3] != 0;
        var image = new Image(w, h, alpha ? 4 : 3);
        var channels = new (int Shift, int Bits)[4];
        for (int c = 0; c < 4; c++)
            channels[c] = masks[c] == 0 ? (0, 0) : (BitOperations.TrailingZeroCount(masks[c]), BitOperations.PopCount(masks[c]));
        int bytes = bpp / 8;
        for (int y = 0; y < h; y++)
        {
            long row = offset + (topDown ? y : h - 1 - y) * stride;
            for (int x = 0; x < w; x++)
            {
                long p = row + (long)x * bytes;
                int o = (y * w + x) * image.Channels;
                if (bpp == 24)
                {
                    image.Pixels[o] = ctx.Data[p + 2];
                    image.Pixels[o + 1] = ctx.Data[p + 1];
                    image.Pixels[o + 2] = ctx.Data[p];
                    continue;
                }
                uint v = bpp == 16 ? ctx.Data[p] | (uint)ctx.Data[p + 1] << 8 : ctx.U32LE(p);
                for (int c = 0; c < image.Channels; c++)
                    image.Pixels[o + c] = Expand(v, masks[c], channels[c].Shift, channels[c].Bits);
            }
        }
        return image;
    }

    /// <summary>Extracts a masked field and scales it to 0..255 (bit replication for fields under 8 bits).</summary>
    private static byte Expand(uint v, uint mask, int shift, int bits)
    {
        if (bits == 0) return 0;
        uint field = (v & mask) >> shift;
        if (bits >= 8) return (byte)(field >> (bits - 8));
        return (byte)(field * 255 / ((1u << bits) - 1));
    }
}
