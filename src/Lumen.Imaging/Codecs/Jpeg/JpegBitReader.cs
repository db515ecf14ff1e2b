namespace Lumen.Imaging;

/// <summary>
/// Reads the entropy-coded bits of a JPEG scan: removes 0xFF00 byte stuffing and stops at the next marker, after
/// which it supplies zero bits (as libjpeg does, so corrupt data ends in bounded time rather than reading past the
/// scan).
/// </summary>
internal struct JpegBitReader(byte[] data, int position)
{
    private ulong buffer;
    private int count;

    /// <summary>Offset of the next unread byte.</summary>
    public int Position { get; private set; } = position;

    /// <summary>True once a marker was met (the bits after it are padding zeros).</summary>
    public bool HitMarker { get; private set; }

    /// <summary>Makes at least <paramref name="n"/> (≤ 56) bits available.</summary>
    private void Ensure(int n)
    {
        while (count < n)
        {
            int b = 0;
            if (!HitMarker && Position < data.Length)
            {
                b = data[Position];
                if (b == 0xFF)
                {
                    int next = Position + 1 < data.Length ? data[Position + 1] : -1;
                    if (next == 0x00) Position += 2;
                    else { HitMarker = true; b = 0; }
                }
                else Position++;
            }
            buffer = (buffer << 8) | (uint)b;
            count += 8;
        }
    }

    /// <summary>The next <paramref name="n"/> (1..16) bits without consuming them.</summary>
    public int Peek(int n)
    {
        Ensure(n);
        return (int)(buffer >> (count - n)) & ((1 << n) - 1);
    }

    /// <summary>Consumes <paramref name="n"/> bits already made available by <see cref="Peek"/>.</summary>
    public void Skip(int n) => count -= n;

    public int ReadBit()
    {
        Ensure(1);
        count--;
        return (int)(buffer >> count) & 1;
    }

    /// <summary>Reads <paramref name="n"/> (0..16) bits as an unsigned number, most significant first.</summary>
    public int ReadBits(int n)
    {
        if (n == 0) return 0;
        int v = Peek(n);
        count -= n;
        return v;
    }

    /// <summary>Reads an <paramref name="n"/>-bit magnitude and sign-extends it (T.81 figure F.12, EXTEND).</summary>
    public int ReceiveExtend(int n)
    {
        if (n == 0) return 0;
        int v = ReadBits(n);
        return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
    }

    /// <summary>Discards buffered bits and, when the next marker is RSTn, consumes it; returns whether one was found.</summary>
    public bool ConsumeRestart()
    {
        count = 0;
        buffer = 0;
        int p = Position;
        while (p < data.Length && data[p] != 0xFF) p++; // tolerate junk before the marker
        while (p + 1 < data.Length && data[p] == 0xFF && data[p + 1] == 0xFF) p++;
        if (p + 1 < data.Length && data[p] == 0xFF && data[p + 1] is >= 0xD0 and <= 0xD7)
        {
            Position = p + 2;
            HitMarker = false;
            return true;
        }
        Position = p;
        return false;
    }
}
