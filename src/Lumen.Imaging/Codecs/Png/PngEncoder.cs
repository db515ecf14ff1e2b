using System.Buffers.Binary;
using System.IO.Compression;

namespace Lumen.Imaging;

/// <summary>
/// Encodes 8-bit grey (1 channel), RGB (3) or RGBA (4) images as non-interlaced PNG.
/// </summary>
/// <remarks>
/// Each row uses the filter whose output has the smallest sum of absolute values (as signed bytes), the
/// heuristic recommended by the PNG specification (section 12.8); the filtered data is zlib-compressed with
/// <see cref="ZLibStream"/>.
/// </remarks>
public static class PngEncoder
{
    /// <summary>Writes <paramref name="image"/> to the file at <paramref name="path"/>.</summary>
    public static void Save(Image image, string path)
    {
        using var file = File.Create(path);
        Encode(image, file);
    }

    /// <summary>Writes <paramref name="image"/> as PNG to <paramref name="stream"/>.</summary>
    public static void Encode(Image image, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(PngDecoder.Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8;
        ihdr[9] = image.Channels switch { 1 => 0, 3 => 2, _ => 6 };
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IDAT", Compress(image));
        WriteChunk(stream, "IEND", []);
    }

    /// <summary>Encodes <paramref name="image"/> to a byte array.</summary>
    public static byte[] Encode(Image image)
    {
        using var ms = new MemoryStream();
        Encode(image, ms);
        return ms.ToArray();
    }

    private static byte[] Compress(Image image)
    {
        int stride = image.Stride, bpp = image.Channels;
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            var above = new byte[stride];
            var best = new byte[stride];
            var trial = new byte[stride];
            for (int y = 0; y < image.Height; y++)
            {
                var row = image.Pixels.AsSpan(y * stride, stride);
                long bestScore = long.MaxValue;
                int bestFilter = 0;
                for (int f = 0; f < 5; f++)
                {
                    long score = Filter(f, row, above, trial, bpp);
                    if (score < bestScore)
                    {
                        bestScore = score;
                        bestFilter = f;
                        (best, trial) = (trial, best);
                    }
                }
                z.WriteByte((byte)bestFilter);
                z.Write(best);
                row.CopyTo(above);
            }
        }
        return ms.ToArray();
    }

    /// <summary>Applies filter <paramref name="f"/> to <paramref name="row"/> into <paramref name="output"/> and
    /// returns the sum of |output| read as signed bytes.</summary>
    private static long Filter(int f, ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, Span<byte> output, int bpp)
    {
        long score = 0;
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = above[i], c = i >= bpp ? above[i - bpp] : 0;
            int predictor = f switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => PngDecoder.Paeth(a, b, c) };
            byte v = (byte)(row[i] - predictor);
            output[i] = v;
            score += Math.Abs((int)(sbyte)v);
        }
        return score;
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> body)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, body.Length);
        for (int i = 0; i < 4; i++) head[4 + i] = (byte)type[i];
        stream.Write(head);
        stream.Write(body);
        uint crc = Crc32.Update(Crc32.Compute(head[4..]), body);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        stream.Write(tail);
    }
}
