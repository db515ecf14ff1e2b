namespace Lumen.Imaging;

/// <summary>A canonical JPEG Huffman table (ITU-T T.81 annex C): code lengths 1..16 and the symbol list. Codes of
/// up to <see cref="LookupBits"/> bits are decoded with one table look-up, longer ones bit by bit (annex F.2.2.3).</summary>
internal sealed class HuffmanTable
{
    private const int LookupBits = 9;
    private readonly int[] maxCode = new int[18];
    private readonly int[] valueOffset = new int[17];
    private readonly byte[] values;

    /// <summary>For each 9-bit prefix: (code length &lt;&lt; 8) | symbol, or 0 when the code is longer.</summary>
    private readonly ushort[] lookup = new ushort[1 << LookupBits];

    /// <summary>Builds the decoding tables from the 16 code-length counts and the symbols.</summary>
    public HuffmanTable(ReadOnlySpan<byte> counts, byte[] symbols)
    {
        values = symbols;
        int code = 0, k = 0;
        for (int length = 1; length <= 16; length++)
        {
            valueOffset[length] = k - code;
            for (int i = 0; i < counts[length - 1]; i++, code++, k++)
            {
                if (length > LookupBits || k >= symbols.Length) continue;
                int shift = LookupBits - length;
                for (int fill = 0; fill < 1 << shift; fill++)
                {
                    int index = (code << shift) | fill;
                    if (index < lookup.Length) lookup[index] = (ushort)(length << 8 | symbols[k]);
                }
            }
            maxCode[length] = counts[length - 1] > 0 ? code - 1 : -1;
            code <<= 1;
        }
        maxCode[17] = int.MaxValue;
    }

    /// <summary>Reads one symbol; returns -1 for a code no table entry has.</summary>
    public int Decode(ref JpegBitReader reader)
    {
        int entry = lookup[reader.Peek(LookupBits)];
        if (entry != 0)
        {
            reader.Skip(entry >> 8);
            return entry & 0xFF;
        }
        int code = 0;
        for (int length = 1; length <= 16; length++)
        {
            code = (code << 1) | reader.ReadBit();
            if (code <= maxCode[length])
            {
                int index = valueOffset[length] + code;
                return (uint)index < (uint)values.Length ? values[index] : -1;
            }
        }
        return -1;
    }
}
