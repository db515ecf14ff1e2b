namespace Lumen.Imaging;

/// <summary>
/// An 8-bit raster image: <see cref="Width"/> × <see cref="Height"/> pixels of <see cref="Channels"/> interleaved
/// samples (1 = grey, 3 = RGB, 4 = RGBA), stored row-major from the top-left corner.
/// </summary>
/// <example><code>
/// var image = Image.Load("dog.png");           // any supported format, detected by signature
/// var small = image.ResizeShorterSide(224).CenterCrop(224, 224);
/// small.SavePng("dog_224.png");
/// </code></example>
public sealed class Image
{
    /// <summary>Creates an image over <paramref name="pixels"/> (not copied), or a black one when it is null.</summary>
    /// <exception cref="ArgumentException">When a dimension is not positive, channels is not 1, 3 or 4, or the
    /// pixel buffer has the wrong length.</exception>
    public Image(int width, int height, int channels, byte[]? pixels = null)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"Image: width and height must be positive, got {width}×{height}.");
        if (channels is not (1 or 3 or 4))
            throw new ArgumentException($"Image: channels must be 1, 3 or 4, got {channels}.", nameof(channels));
        long size = (long)width * height * channels;
        if (size > Array.MaxLength)
            throw new ArgumentException($"Image: {width}×{height}×{channels} is too large.");
        if (pixels is not null && pixels.Length != size)
            throw new ArgumentException($"Image: {width}×{height}×{channels} needs {size} bytes, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels ?? new byte[size];
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Samples per pixel: 1 (grey), 3 (RGB) or 4 (RGBA).</summary>
    public int Channels { get; }

    /// <summary>The interleaved samples, row-major, <c>Width * Channels</c> bytes per row. Mutable.</summary>
    public byte[] Pixels { get; }

    /// <summary>Bytes per row.</summary>
    public int Stride => Width * Channels;

    /// <summary>Gets or sets sample <paramref name="c"/> of pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public byte this[int x, int y, int c]
    {
        get => Pixels[Index(x, y, c)];
        set => Pixels[Index(x, y, c)] = value;
    }

    private int Index(int x, int y, int c)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || (uint)c >= (uint)Channels)
            throw new ArgumentOutOfRangeException(nameof(x), $"Image: pixel ({x}, {y}) channel {c} is outside {Width}×{Height}×{Channels}.");
        return (y * Width + x) * Channels + c;
    }

    /// <summary>Decodes an image file (PNG, JPEG, BMP, PPM/PGM), detected by its signature.</summary>
    public static Image Load(string path) => ImageDecoder.Load(path);

    /// <summary>Decodes an image from a stream (PNG, JPEG, BMP, PPM/PGM), detected by its signature.</summary>
    public static Image Load(Stream stream) => ImageDecoder.Load(stream);

    /// <summary>Writes this image as an 8-bit PNG file.</summary>
    public void SavePng(string path) => PngEncoder.Save(this, path);

    /// <summary>Writes this image as an 8-bit PNG to a stream.</summary>
    public void SavePng(Stream stream) => PngEncoder.Encode(this, stream);

    /// <summary>A deep copy.</summary>
    public Image Clone() => new(Width, Height, Channels, (byte[])Pixels.Clone());

    /// <summary>Converts to RGB: grey is replicated, alpha is dropped (not composited, as Pillow's
    /// <c>convert("RGB")</c>).</summary>
    public Image ToRgb() => ConvertTo(3);

    /// <summary>Converts to RGBA: grey is replicated, opaque alpha is added where missing.</summary>
    public Image ToRgba() => ConvertTo(4);

    /// <summary>Converts to one grey channel with the ITU-R 601 luma weights used by Pillow's <c>convert("L")</c>:
    /// L = (R·19595 + G·38470 + B·7471 + 2^15) / 2^16. Alpha is dropped.</summary>
    public Image ToGrey() => ConvertTo(1);

    private Image ConvertTo(int channels)
    {
        if (channels == Channels) return Clone();
        var dst = new Image(Width, Height, channels);
        byte[] s = Pixels, d = dst.Pixels;
        int n = Width * Height, sc = Channels;
        for (int i = 0; i < n; i++)
        {
            int si = i * sc, di = i * channels;
            byte r = s[si], g = sc == 1 ? r : s[si + 1], b = sc == 1 ? r : s[si + 2];
            byte a = sc == 4 ? s[si + 3] : (byte)255;
            if (channels == 1)
            {
                d[di] = (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
                continue;
            }
            d[di] = r;
            d[di + 1] = g;
            d[di + 2] = b;
            if (channels == 4) d[di + 3] = a;
        }
        return dst;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Image {Width}×{Height}×{Channels}";
}
