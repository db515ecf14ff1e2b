namespace Lumen.Imaging;

/// <summary>
/// Decodes JPEG (JFIF/EXIF): baseline and extended sequential and progressive Huffman coding, 8-bit precision,
/// greyscale or YCbCr with any sampling factors (4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1…), restart markers, and
/// the EXIF orientation tag.
/// </summary>
/// <remarks>
/// Pipeline: entropy decoding into coefficients (all scans), exact inverse DCT (<see cref="InverseDct"/>),
/// libjpeg-style "fancy" chroma upsampling (<see cref="ChromaUpsampler"/>), fixed-point YCbCr → RGB
/// (<see cref="YCbCrConverter"/>), then the EXIF rotation. Output: 1 channel (grey) or 3 (RGB).
/// Refused with a clear error: arithmetic coding, lossless and hierarchical modes, 12-bit samples, and
/// 4-component (CMYK/YCCK, Adobe) images. Specification: ITU-T T.81 (https://www.w3.org/Graphics/JPEG/itu-t81.pdf).
/// </remarks>
public static class JpegDecoder
{
    /// <summary>Decodes JPEG bytes; <paramref name="source"/> names them in error messages.</summary>
    /// <exception cref="ImageFormatException">When the data is not a valid, supported JPEG.</exception>
    public static Image Decode(byte[] data, string source = "stream") => Decode(new DecodeContext(data, "JPEG", source));

    /// <summary>Decodes JPEG bytes, optionally ignoring the EXIF orientation (to compare with decoders that do).</summary>
    public static Image Decode(byte[] data, string source, bool applyExifOrientation) =>
        Decode(new DecodeContext(data, "JPEG", source), applyExifOrientation);

    internal static Image Decode(DecodeContext ctx, bool applyExifOrientation = true)
    {
        var d = ctx.Data;
        if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8) throw ctx.Fail("missing SOI marker.");
        var quant = new ushort[4][];
        var dcTables = new HuffmanTable?[4];
        var acTables = new HuffmanTable?[4];
        JpegFrame? frame = null;
        int restartInterval = 0, orientation = 1, adobeTransform = -1;
        int pos = 2;
        int scans = 0;
        while (true)
        {
            // Find the next marker, skipping fill bytes.
            while (pos < d.Length && d[pos] != 0xFF) pos++;
            while (pos < d.Length && d[pos] == 0xFF) pos++;
            if (pos >= d.Length)
            {
                if (frame is not null && scans > 0) break; // missing EOI: decode what we have, as libjpeg does
                throw ctx.Fail("truncated before the first scan.");
            }
            int marker = d[pos++];
            if (marker == 0xD9) break; // EOI
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue; // stray RSTn / TEM carry no length
            int length = ctx.U16BE(pos);
            if (length < 2) throw ctx.Fail($"segment 0x{marker:X2} has invalid length {length}.");
            ctx.Need(pos, length, $"segment 0x{marker:X2}");
            int body = pos + 2, end = pos + length;
            switch (marker)
            {
                case 0xDB:
                    ReadQuantTables(ctx, body, end, quant);
                    break;
                case 0xC4:
                    ReadHuffmanTables(ctx, body, end, dcTables, acTables);
                    break;
                case 0xDD:
                    if (length < 4) throw ctx.Fail("DRI segment is too short.");
                    restartInterval = ctx.U16BE(body);
                    break;
                case 0xC0 or 0xC1 or 0xC2:
                    if (frame is not null) throw ctx.Fail("more than one frame header.");
                    frame = ReadFrame(ctx, body, end, progressive: marker == 0xC2);
                    break;
                case >= 0xC3 and <= 0xCF when marker is not (0xC4 or 0xC8 or 0xCC):
                    throw ctx.Fail($"SOF{marker - 0xC0} frames ({(marker >= 0xC9 ? "arithmetic coding" : "lossless/hierarchical")}) are not supported.");
                case 0xE1:
                    int o = ExifOrientation.Read(d.AsSpan(body, end - body));
                    if (o != 1) orientation = o;
                    break;
                case 0xEE:
                    if (end - body >= 12 && d.AsSpan(body, 5).SequenceEqual("Adobe"u8)) adobeTransform = d[body + 11];
                    break;
                case 0xDA:
                    if (frame is null) throw ctx.Fail("scan before the frame header.");
                    end = DecodeScan(ctx, frame, body, end, quant, dcTables, acTables, restartInterval);
                    scans++;
                    break;
            }
            pos = end;
        }
        if (frame is null || scans == 0) throw ctx.Fail("no frame or no scan.");
        var image = Output(ctx, frame, quant, adobeTransform);
        return applyExifOrientation ? ExifOrientation.Apply(image, orientation) : image;
    }

    private static void ReadQuantTables(DecodeContext ctx, int p, int end, ushort[][] quant)
    {
        while (p < end)
        {
            int pq = ctx.Data[p] >> 4, tq = ctx.Data[p] & 15;
            if (tq > 3 || pq > 1) throw ctx.Fail($"invalid quantisation table header 0x{ctx.Data[p]:X2}.");
            p++;
            int size = pq == 0 ? 64 : 128;
            if (p + size > end) throw ctx.Fail("DQT segment is truncated.");
            var table = new ushort[64];
            for (int k = 0; k < 64; k++)
                table[JpegScanDecoder.ZigZag[k]] = pq == 0 ? ctx.Data[p + k] : ctx.U16BE(p + 2 * k);
            quant[tq] = table;
            p += size;
        }
    }

    private static void ReadHuffmanTables(DecodeContext ctx, int p, int end, HuffmanTable?[] dc, HuffmanTable?[] ac)
    {
        while (p < end)
        {
            if (p + 17 > end) throw ctx.Fail("DHT segment is truncated.");
            int tc = ctx.Data[p] >> 4, th = ctx.Data[p] & 15;
            if (tc > 1 || th > 3) throw ctx.Fail($"invalid Huffman table header 0x{ctx.Data[p]:X2}.");
            var counts = ctx.Data.AsSpan(p + 1, 16);
            int total = 0;
            foreach (byte c in counts) total += c;
            if (total > 256 || p + 17 + total > end) throw ctx.Fail("DHT segment is truncated or has too many symbols.");
            var table = new HuffmanTable(counts, ctx.Data.AsSpan(p + 17, total).ToArray());
            (tc == 0 ? dc : ac)[th] = table;
            p += 17 + total;
        }
    }

    private static JpegFrame ReadFrame(DecodeContext ctx, int p, int end, bool progressive)
    {
        if (end - p < 6) throw ctx.Fail("frame header is too short.");
        int precision = ctx.Data[p];
        if (precision != 8) throw ctx.Fail($"{precision}-bit samples are not supported (only 8-bit).");
        int height = ctx.U16BE(p + 1), width = ctx.U16BE(p + 3), count = ctx.Data[p + 5];
        if (height == 0) throw ctx.Fail("height 0 (DNL-defined height) is not supported.");
        ctx.CheckSize(width, height);
        if (count is not (1 or 3))
            throw ctx.Fail(count == 4 ? "4-component (CMYK/YCCK) JPEGs are not supported." : $"{count} components are not supported.");
        if (end - p < 6 + 3 * count) throw ctx.Fail("frame header is truncated.");
        var components = new JpegComponent[count];
        for (int i = 0; i < count; i++)
        {
            int q = p + 6 + 3 * i;
            int h = ctx.Data[q + 1] >> 4, v = ctx.Data[q + 1] & 15, tq = ctx.Data[q + 2];
            if (h is < 1 or > 4 || v is < 1 or > 4) throw ctx.Fail($"component {i} has invalid sampling factors {h}×{v}.");
            if (tq > 3) throw ctx.Fail($"component {i} uses quantisation table {tq}.");
            components[i] = new JpegComponent { Id = ctx.Data[q], H = h, V = v, QuantTable = tq };
        }
        var frame = new JpegFrame { Width = width, Height = height, Progressive = progressive, Components = components };
        frame.Prepare();
        foreach (var c in components)
            if (frame.MaxH % c.H != 0 || frame.MaxV % c.V != 0)
                throw ctx.Fail($"sampling factors {c.H}×{c.V} do not divide the maximum {frame.MaxH}×{frame.MaxV}.");
        return frame;
    }

    private static int DecodeScan(DecodeContext ctx, JpegFrame frame, int p, int end, ushort[][] quant,
        HuffmanTable?[] dc, HuffmanTable?[] ac, int restartInterval)
    {
        int count = ctx.Data[p];
        if (count is < 1 or > 4 || end - p < 4 + 2 * count) throw ctx.Fail("scan header is invalid or truncated.");
        var components = new JpegComponent[count];
        for (int i = 0; i < count; i++)
        {
            int id = ctx.Data[p + 1 + 2 * i], tables = ctx.Data[p + 2 + 2 * i];
            var c = frame.Components.FirstOrDefault(x => x.Id == id) ?? throw ctx.Fail($"scan refers to unknown component {id}.");
            c.DcTable = tables >> 4;
            c.AcTable = tables & 15;
            if (c.DcTable > 3 || c.AcTable > 3) throw ctx.Fail($"scan uses Huffman table selector 0x{tables:X2}.");
            c.DcPredictor = 0;
            components[i] = c;
        }
        int q = p + 1 + 2 * count;
        int ss = ctx.Data[q], se = ctx.Data[q + 1], ah = ctx.Data[q + 2] >> 4, al = ctx.Data[q + 2] & 15;
        if (frame.Progressive)
        {
            bool valid = ss <= se && se <= 63 && al <= 13 && (ss == 0 ? se == 0 : count == 1);
            if (!valid) throw ctx.Fail($"invalid progressive scan parameters Ss={ss} Se={se} Ah={ah} Al={al}.");
        }
        else
        {
            ss = 0;
            se = 63;
            ah = al = 0;
        }
        foreach (var c in components)
            if (quant[c.QuantTable] is null) throw ctx.Fail($"component {c.Id} uses undefined quantisation table {c.QuantTable}.");
        var decoder = new JpegScanDecoder(ctx, frame, components, dc, ac, ss, se, ah, al, restartInterval, end);
        return decoder.Decode();
    }

    private static Image Output(DecodeContext ctx, JpegFrame frame, ushort[][] quant, int adobeTransform)
    {
        int w = frame.Width, h = frame.Height;
        var planes = new byte[frame.Components.Length][];
        for (int i = 0; i < planes.Length; i++)
        {
            var c = frame.Components[i];
            var table = quant[c.QuantTable] ?? throw ctx.Fail($"component {c.Id} uses undefined quantisation table {c.QuantTable}.");
            int stride = c.BlocksPerLine * 8;
            var samples = new byte[stride * c.BlocksPerColumn * 8];
            for (int by = 0; by < c.BlocksPerColumn; by++)
                for (int bx = 0; bx < c.BlocksPerLine; bx++)
                    InverseDct.Transform(c.Block(by, bx), table, samples, by * 8 * stride + bx * 8, stride);
            int fx = frame.MaxH / c.H, fy = frame.MaxV / c.V;
            planes[i] = ChromaUpsampler.Upsample(samples, stride, c.Width, c.Height, fx, fy, w, h);
        }
        if (planes.Length == 1) return new Image(w, h, 1, planes[0]);
        var image = new Image(w, h, 3);
        bool rgb = adobeTransform == 0 || frame.Components.Select(c => c.Id).SequenceEqual([(int)'R', (int)'G', (int)'B']);
        if (rgb)
        {
            for (int i = 0; i < w * h; i++)
                for (int k = 0; k < 3; k++) image.Pixels[3 * i + k] = planes[k][i];
        }
        else YCbCrConverter.ToRgb(planes[0], planes[1], planes[2], image.Pixels, w * h);
        return image;
    }
}
