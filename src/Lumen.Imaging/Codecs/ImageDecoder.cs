namespace Lumen.Imaging;

/// <summary>
/// Decodes any supported image (PNG, JPEG, BMP, PBM/PGM/PPM), choosing the decoder from the file signature,
/// never from the file name.
/// </summary>
/// <remarks>
/// Every failure on bad data is an <see cref="ImageFormatException"/>
/// whose message names the format, the source and the problem. Decoders check bounds themselves; a low-level
/// range error that still escapes one is reported the same way, never as <see cref="IndexOutOfRangeException"/>.
/// </remarks>
public static class ImageDecoder
{
    /// <summary>Decodes the image file at <paramref name="path"/>.</summary>
    /// <exception cref="ImageFormatException">When the file is not a valid, supported image.</exception>
    public static Image Load(string path) => Decode(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>Decodes an image from the remaining bytes of <paramref name="stream"/>.</summary>
    /// <exception cref="ImageFormatException">When the data is not a valid, supported image.</exception>
    public static Image Load(Stream stream, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return Decode(ms.ToArray(), source);
    }

    /// <summary>The format name ("PNG", "JPEG", "BMP", "PNM") that <paramref name="data"/> starts like, or null.</summary>
    public static string? DetectFormat(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 8 && data[..8].SequenceEqual(PngDecoder.Signature)) return "PNG";
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return "JPEG";
        if (data.Length >= 2 && data[0] == 'B' && data[1] == 'M') return "BMP";
        if (data.Length >= 2 && data[0] == 'P' && data[1] is >= (byte)'1' and <= (byte)'6') return "PNM";
        return null;
    }

    /// <summary>Decodes <paramref name="data"/>; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="ImageFormatException">When the data is not a valid, supported image.</exception>
    public static Image Decode(byte[] data, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(data);
        string? format = DetectFormat(data);
        var ctx = new DecodeContext(data, format ?? "image", source);
        try
        {
            return format switch
            {
                "PNG" => PngDecoder.Decode(ctx),
                "JPEG" => JpegDecoder.Decode(ctx),
                "BMP" => BmpDecoder.Decode(ctx),
                "PNM" => PnmDecoder.Decode(ctx),
                _ => throw ctx.Fail("unrecognised signature (expected PNG, JPEG, BMP or PNM)."),
            };
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or OverflowException or EndOfStreamException)
        {
            throw new ImageFormatException($"{ctx.Format} ({source}): malformed data ({e.GetType().Name}: {e.Message})", e);
        }
    }
}
