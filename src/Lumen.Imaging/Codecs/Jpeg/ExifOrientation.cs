namespace Lumen.Imaging;

/// <summary>
/// Reads the EXIF orientation tag (0x0112) from an APP1 "Exif" segment and applies it to a decoded image so that
/// it is displayed upright.
/// </summary>
/// <remarks>
/// Values (TIFF 6.0 / EXIF 2.3): 1 normal, 2 mirror horizontally, 3 rotate 180°, 4 mirror vertically, 5 transpose,
/// 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
/// </remarks>
internal static class ExifOrientation
{
    /// <summary>The orientation (1..8) in the APP1 payload <paramref name="app1"/>, or 1 when absent or unreadable.</summary>
    public static int Read(ReadOnlySpan<byte> app1)
    {
        if (app1.Length < 14 || !app1[..6].SequenceEqual("Exif\0\0"u8)) return 1;
        var tiff = app1[6..];
        bool little = tiff[0] == 'I' && tiff[1] == 'I';
        if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
        long ifd = U32(tiff, 4, little);
        if (ifd < 8 || ifd > tiff.Length - 2) return 1;
        int entries = U16(tiff, (int)ifd, little);
        for (int i = 0; i < entries; i++)
        {
            int e = (int)ifd + 2 + 12 * i;
            if (e + 12 > tiff.Length) break;
            if (U16(tiff, e, little) == 0x0112)
            {
                int value = U16(tiff, e + 8, little);
                return value is >= 1 and <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static int U16(ReadOnlySpan<byte> t, int o, bool little) =>
        o + 2 > t.Length ? -1 : little ? t[o] | t[o + 1] << 8 : t[o] << 8 | t[o + 1];

    private static long U32(ReadOnlySpan<byte> t, int o, bool little) =>
        o + 4 > t.Length ? -1 : little
            ? (uint)(t[o] | t[o + 1] << 8 | t[o + 2] << 16 | t[o + 3] << 24)
            : (uint)(t[o] << 24 | t[o + 1] << 16 | t[o + 2] << 8 | t[o + 3]);

    /// <summary>Returns <paramref name="image"/> transformed so that orientation <paramref name="orientation"/> is undone.</summary>
    public static Image Apply(Image image, int orientation)
    {
        if (orientation is < 2 or > 8) return image;
        bool swap = orientation >= 5;
        int w = image.Width, h = image.Height, c = image.Channels;
        int ow = swap ? h : w, oh = swap ? w : h;
        var result = new Image(ow, oh, c);
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                (int sx, int sy) = orientation switch
                {
                    2 => (w - 1 - ox, oy),
                    3 => (w - 1 - ox, h - 1 - oy),
                    4 => (ox, h - 1 - oy),
                    5 => (oy, ox),
                    6 => (oy, h - 1 - ox),
                    7 => (w - 1 - oy, h - 1 - ox),
                    _ => (w - 1 - oy, ox),
                };
                Array.Copy(image.Pixels, (sy * w + sx) * c, result.Pixels, (oy * ow + ox) * c, c);
            }
        return result;
    }
}
