namespace Lumen.Imaging;

/// <summary>The source bytes of one decode plus the format and source names used in error messages.</summary>
internal readonly struct DecodeContext(byte[] data, string format, string source)
{
    /// <summary>Largest pixel count any decoder accepts (guards allocations against hostile headers).</summary>
    public const long MaxPixels = 1L << 28;

    public byte[] Data { get; } = data;

    public string Format { get; } = format;

    public string Source { get; } = source;

    /// <summary>An exception naming the format and source: "PNG (dog.png): what".</summary>
    public ImageFormatException Fail(string what) => new($"{Format} ({Source}): {what}");

    /// <summary>Throws unless <paramref name="count"/> bytes are available at <paramref name="offset"/>.</summary>
    public void Need(long offset, long count, string what)
    {
        if (offset < 0 || count < 0 || offset + count > Data.Length)
            throw Fail($"truncated: {what} needs {count} bytes at offset {offset}, but the data is {Data.Length} bytes long.");
    }

    /// <summary>Throws unless the dimensions are positive and within <see cref="MaxPixels"/>.</summary>
    public void CheckSize(long width, long height)
    {
        if (width <= 0 || height <= 0) throw Fail($"invalid dimensions {width}×{height}.");
        if (width * height > MaxPixels) throw Fail($"dimensions {width}×{height} exceed the {MaxPixels}-pixel limit.");
    }

    public ushort U16BE(long o) { Need(o, 2, "a 16-bit field"); return (ushort)(Data[o] << 8 | Data[o + 1]); }

    public ushort U16LE(long o) { Need(o, 2, "a 16-bit field"); return (ushort)(Data[o] | Data[o + 1] << 8); }

    public uint U32BE(long o) { Need(o, 4, "a 32-bit field"); return (uint)(Data[o] << 24 | Data[o + 1] << 16 | Data[o + 2] << 8 | Data[o + 3]); }

    public uint U32LE(long o) { Need(o, 4, "a 32-bit field"); return (uint)(Data[o] | Data[o + 1] << 8 | Data[o + 2] << 16 | Data[o + 3] << 24); }
}
