namespace Lumen.Imaging;

/// <summary>A canonical JPEG Huffman table (ITU-T T.81 annex C): code lengths 1..16 and the symbol list.</summary>
internal sealed class HuffmanTable
{
    private readonly int[] maxCode = new int[18];
    private readonly int[] valueOffset = new int[17];
    private readonly byte[] values;

    /// <summary>Builds the decoding tables from the 16 code-length counts and the symbols.</summary>
    public HuffmanTable(ReadOnlySpan<byte> counts, byte[] symbols)
    {
        values = symbols;
        int code = 0, k = 0;
        for (int length = 1; length <= 16; length++)
        {
            valueOffset[length] = k - code;
            code += counts[length - 1];
            k += counts[length - 1];
            maxCode[length] = counts[length - 1] > 0 ? code - 1 : -1;
            code <<= 1;
        }
        maxCode[17] = int.MaxValue;
    }

    /// <summary>Reads one symbol bit by bit; returns -1 for a code no table entry has.</summary>
    public int Decode(ref JpegBitReader reader)
    {
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
