namespace Lumen.Imaging;

/// <summary>One colour component of a JPEG frame: sampling factors, quantisation table and its coefficients.</summary>
internal sealed class JpegComponent
{
    public required int Id { get; init; }

    public required int H { get; init; }

    public required int V { get; init; }

    public required int QuantTable { get; init; }

    /// <summary>Width of the component's sample plane, ceil(frame width · H / Hmax).</summary>
    public int Width { get; set; }

    /// <summary>Height of the component's sample plane, ceil(frame height · V / Vmax).</summary>
    public int Height { get; set; }

    /// <summary>Allocated blocks per row (padded to whole MCUs).</summary>
    public int BlocksPerLine { get; set; }

    /// <summary>Allocated block rows (padded to whole MCUs).</summary>
    public int BlocksPerColumn { get; set; }

    /// <summary>Quantised DCT coefficients, 64 per block in natural (row-major) order, blocks row-major.</summary>
    public short[] Coefficients { get; set; } = [];

    /// <summary>DC predictor of the scan in progress.</summary>
    public int DcPredictor { get; set; }

    /// <summary>DC Huffman table index of the scan in progress.</summary>
    public int DcTable { get; set; }

    /// <summary>AC Huffman table index of the scan in progress.</summary>
    public int AcTable { get; set; }

    /// <summary>The 64 coefficients of block (<paramref name="row"/>, <paramref name="col"/>).</summary>
    public Span<short> Block(int row, int col) => Coefficients.AsSpan((row * BlocksPerLine + col) * 64, 64);
}

/// <summary>The frame header (SOF) of a JPEG: size, precision, progression and components.</summary>
internal sealed class JpegFrame
{
    public required int Width { get; init; }

    public required int Height { get; init; }

    public required bool Progressive { get; init; }

    public required JpegComponent[] Components { get; init; }

    public int MaxH { get; set; }

    public int MaxV { get; set; }

    /// <summary>MCUs per row of an interleaved scan.</summary>
    public int McusPerLine { get; set; }

    /// <summary>MCU rows of an interleaved scan.</summary>
    public int McusPerColumn { get; set; }

    /// <summary>Derives component plane sizes and allocates the coefficient buffers.</summary>
    public void Prepare()
    {
        MaxH = Components.Max(c => c.H);
        MaxV = Components.Max(c => c.V);
        McusPerLine = (Width + 8 * MaxH - 1) / (8 * MaxH);
        McusPerColumn = (Height + 8 * MaxV - 1) / (8 * MaxV);
        foreach (var c in Components)
        {
            c.Width = (Width * c.H + MaxH - 1) / MaxH;
            c.Height = (Height * c.V + MaxV - 1) / MaxV;
            c.BlocksPerLine = McusPerLine * c.H;
            c.BlocksPerColumn = McusPerColumn * c.V;
            c.Coefficients = new short[(long)c.BlocksPerLine * c.BlocksPerColumn * 64];
        }
    }
}
