namespace Lumen.Imaging;

/// <summary>
/// Decodes one scan (SOS to the next marker) of a baseline/extended or progressive Huffman JPEG into the
/// components' coefficient buffers (ITU-T T.81 annexes F and G).
/// </summary>
internal sealed class JpegScanDecoder
{
    /// <summary>Zig-zag index → natural (row-major) index.</summary>
    internal static readonly int[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];

    private readonly DecodeContext ctx;
    private readonly JpegFrame frame;
    private readonly JpegComponent[] components;
    private readonly HuffmanTable?[] dcTables;
    private readonly HuffmanTable?[] acTables;
    private readonly int ss, se, ah, al, restartInterval;
    private int eobRun;
    private JpegBitReader reader;

    public JpegScanDecoder(DecodeContext ctx, JpegFrame frame, JpegComponent[] components, HuffmanTable?[] dcTables,
        HuffmanTable?[] acTables, int ss, int se, int ah, int al, int restartInterval, int position)
    {
        this.ctx = ctx;
        this.frame = frame;
        this.components = components;
        this.dcTables = dcTables;
        this.acTables = acTables;
        this.ss = ss;
        this.se = se;
        this.ah = ah;
        this.al = al;
        this.restartInterval = restartInterval;
        reader = new JpegBitReader(ctx.Data, position);
    }

    /// <summary>Decodes every MCU of the scan and returns the offset where its entropy-coded data ends.</summary>
    public int Decode()
    {
        ValidateTables();
        bool single = components.Length == 1;
        var c0 = components[0];
        int mcusX = single ? (c0.Width + 7) / 8 : frame.McusPerLine;
        int mcusY = single ? (c0.Height + 7) / 8 : frame.McusPerColumn;
        long total = (long)mcusX * mcusY;
        for (long mcu = 0; mcu < total; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) Restart();
            int mx = (int)(mcu % mcusX), my = (int)(mcu / mcusX);
            if (single)
            {
                DecodeBlock(c0, c0.Block(my, mx));
                continue;
            }
            foreach (var c in components)
                for (int v = 0; v < c.V; v++)
                    for (int h = 0; h < c.H; h++)
                        DecodeBlock(c, c.Block(my * c.V + v, mx * c.H + h));
        }
        return reader.Position;
    }

    private void ValidateTables()
    {
        foreach (var c in components)
        {
            bool needDc = ss == 0 && ah == 0, needAc = se > 0;
            if (needDc && dcTables[c.DcTable] is null) throw ctx.Fail($"scan uses undefined DC Huffman table {c.DcTable}.");
            if (needAc && acTables[c.AcTable] is null) throw ctx.Fail($"scan uses undefined AC Huffman table {c.AcTable}.");
        }
    }

    private void Restart()
    {
        reader.ConsumeRestart();
        foreach (var c in components) c.DcPredictor = 0;
        eobRun = 0;
    }

    private int DecodeSymbol(HuffmanTable table)
    {
        int s = table.Decode(ref reader);
        if (s < 0) throw ctx.Fail($"invalid Huffman code near offset {reader.Position}.");
        return s;
    }

    private void DecodeBlock(JpegComponent c, Span<short> block)
    {
        if (!frame.Progressive)
        {
            DecodeBaseline(c, block);
            return;
        }
        if (ss == 0)
        {
            if (ah == 0) DecodeDcFirst(c, block);
            else if (reader.ReadBit() != 0) block[0] |= (short)(1 << al);
        }
        else if (ah == 0) DecodeAcFirst(c, block);
        else DecodeAcRefine(c, block);
    }

    private void DecodeBaseline(JpegComponent c, Span<short> block)
    {
        int t = DecodeSymbol(dcTables[c.DcTable]!);
        if (t > 16) throw ctx.Fail($"DC difference category {t} is out of range.");
        c.DcPredictor += reader.ReceiveExtend(t);
        block[0] = (short)c.DcPredictor;
        var ac = acTables[c.AcTable]!;
        for (int k = 1; k < 64;)
        {
            int rs = DecodeSymbol(ac);
            int r = rs >> 4, s = rs & 15;
            if (s == 0)
            {
                if (r != 15) break;
                k += 16;
                continue;
            }
            k += r;
            if (k > 63) throw ctx.Fail("AC coefficient run goes past the end of the block.");
            block[ZigZag[k]] = (short)reader.ReceiveExtend(s);
            k++;
        }
    }

    private void DecodeDcFirst(JpegComponent c, Span<short> block)
    {
        int t = DecodeSymbol(dcTables[c.DcTable]!);
        if (t > 16) throw ctx.Fail($"DC difference category {t} is out of range.");
        c.DcPredictor += reader.ReceiveExtend(t);
        block[0] = (short)(c.DcPredictor * (1 << al));
    }

    private void DecodeAcFirst(JpegComponent c, Span<short> block)
    {
        if (eobRun > 0)
        {
            eobRun--;
            return;
        }
        var ac = acTables[c.AcTable]!;
        for (int k = ss; k <= se;)
        {
            int rs = DecodeSymbol(ac);
            int r = rs >> 4, s = rs & 15;
            if (s == 0)
            {
                if (r < 15)
                {
                    eobRun = (1 << r) - 1 + reader.ReadBits(r);
                    return;
                }
                k += 16;
                continue;
            }
            k += r;
            if (k > 63) throw ctx.Fail("AC coefficient run goes past the end of the band.");
            block[ZigZag[k]] = (short)(reader.ReceiveExtend(s) * (1 << al));
            k++;
        }
    }

    private void DecodeAcRefine(JpegComponent c, Span<short> block)
    {
        int p1 = 1 << al, m1 = -1 << al;
        int k = ss;
        if (eobRun == 0)
        {
            var ac = acTables[c.AcTable]!;
            for (; k <= se; k++)
            {
                int rs = DecodeSymbol(ac);
                int r = rs >> 4, s = rs & 15;
                int value = 0;
                if (s != 0)
                {
                    if (s != 1) throw ctx.Fail($"refinement scan has a coefficient of size {s}, expected 1.");
                    value = reader.ReadBit() != 0 ? p1 : m1;
                }
                else if (r != 15)
                {
                    eobRun = (1 << r) + reader.ReadBits(r);
                    break;
                }
                for (; k <= se; k++)
                {
                    int z = ZigZag[k];
                    if (block[z] != 0) Refine(ref block[z], p1, m1);
                    else
                    {
                        if (r == 0)
                        {
                            if (value != 0) block[z] = (short)value;
                            break;
                        }
                        r--;
                    }
                }
            }
        }
        if (eobRun > 0)
        {
            for (; k <= se; k++)
            {
                int z = ZigZag[k];
                if (block[z] != 0) Refine(ref block[z], p1, m1);
            }
            eobRun--;
        }
    }

    private void Refine(ref short coefficient, int p1, int m1)
    {
        if (reader.ReadBit() != 0 && (coefficient & p1) == 0)
            coefficient = (short)(coefficient + (coefficient >= 0 ? p1 : m1));
    }
}
