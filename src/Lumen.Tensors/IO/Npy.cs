using System.Buffers.Binary;
using System.Globalization;
using System.Text;


namespace Lumen.Tensors.IO;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1–3, C order, little-endian).
/// </summary>
/// <remarks>
/// Reading accepts float32/float64/float16 (widened or narrowed to float32), the signed and unsigned integer types
/// up to 64 bits (as Int64) and bool. Writing produces version 1.0 files of dtype <c>&lt;f4</c>, <c>&lt;i8</c> or
/// <c>|b1</c>. Format: <see href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html"/>.
/// </remarks>
/// <example><code>Npy.Write("logits.npy", output); var back = Npy.Read("logits.npy");</code></example>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a tensor from a .npy file.</summary>
    public static Tensor Read(string path)
    {
        using var stream = File.OpenRead(path);
        try { return Read(stream); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads a tensor from a stream holding a .npy file.</summary>
    public static Tensor Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = ReadExactly(stream, 8, "the magic string");
        if (!prefix.AsSpan(0, 6).SequenceEqual(Magic)) throw new InvalidDataException("Npy: not a .npy file (bad magic string).");
        int major = prefix[6];
        int headerLength = major switch
        {
            1 => BinaryPrimitives.ReadUInt16LittleEndian(ReadExactly(stream, 2, "the header length")),
            2 or 3 => checked((int)BinaryPrimitives.ReadUInt32LittleEndian(ReadExactly(stream, 4, "the header length"))),
            _ => throw new InvalidDataException($"Npy: unsupported format version {major}.{prefix[7]}."),
        };
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(ReadExactly(stream, headerLength, "the header"));
        string descr = HeaderValue(header, "descr").Trim('\'', '"');
        if (HeaderValue(header, "fortran_order").Trim() != "False")
            throw new InvalidDataException($"Npy: Fortran-ordered arrays are not supported (header {header.Trim()}).");
        var shape = ParseShape(HeaderValue(header, "shape"));
        var element = ElementType.FromDescr(descr);
        var data = ReadExactly(stream, checked(shape.Size * element.Size), $"{shape.Size} elements of {descr}");
        return element.Decode(data, shape);
    }

    /// <summary>Writes a tensor to a .npy file (creating or overwriting it).</summary>
    public static void Write(string path, Tensor tensor)
    {
        using var stream = File.Create(path);
        Write(stream, tensor);
    }

    /// <summary>Writes a tensor as a version 1.0 .npy file to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        string descr = tensor.DType switch { DType.Float32 => "<f4", DType.Int64 => "<i8", _ => "|b1" };
        string dims = tensor.Rank == 1 ? $"{tensor.Shape[0]}," : string.Join(", ", tensor.Shape.ToArray());
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = Magic.Length + 4 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
        switch (tensor.DType)
        {
            case DType.Float32:
                stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.AsReadOnlySpan()));
                break;
            case DType.Int64:
                stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.AsInt64Span()));
                break;
            default:
                foreach (var b in tensor.AsBoolSpan()) stream.WriteByte(b ? (byte)1 : (byte)0);
                break;
        }
    }

    private static byte[] ReadExactly(Stream stream, int count, string what)
    {
        var buffer = new byte[count];
        int read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        if (read < count) throw new InvalidDataException($"Npy: file ends after {read} of the {count} bytes of {what}.");
        return buffer;
    }

    private static string HeaderValue(string header, string key)
    {
        int k = header.IndexOf("'" + key + "'", StringComparison.Ordinal);
        if (k < 0) throw new InvalidDataException($"Npy: header has no '{key}': {header.Trim()}");
        int colon = header.IndexOf(':', k);
        int start = colon + 1;
        if (key == "shape")
        {
            int open = header.IndexOf('(', start), close = header.IndexOf(')', start);
            if (open < 0 || close < open) throw new InvalidDataException($"Npy: malformed shape in header {header.Trim()}");
            return header[(open + 1)..close];
        }
        int end = header.IndexOf(',', start);
        if (end < 0) end = header.IndexOf('}', start);
        return header[start..end].Trim();
    }

    private static Shape ParseShape(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                throw new InvalidDataException($"Npy: bad dimension '{parts[i]}' in shape ({text}).");
        return new Shape(dims);
    }

    /// <summary>One NumPy element type: its size in bytes and how to widen it into a Lumen tensor.</summary>
    private sealed record ElementType(int Size, Func<byte[], Shape, Tensor> Decode)
    {
        public static ElementType FromDescr(string descr)
        {
            if (descr.Length > 1 && descr[0] == '>' && descr[^1] != '1')
                throw new InvalidDataException($"Npy: big-endian dtype '{descr}' is not supported.");
            string kind = descr.TrimStart('<', '|', '=', '>');
            return kind switch
            {
                "f4" => new(4, (b, s) => RawElements.Floats(b, s, 4, RawElements.Float32)),
                "f8" => new(8, (b, s) => RawElements.Floats(b, s, 8, RawElements.Float64)),
                "f2" => new(2, (b, s) => RawElements.Floats(b, s, 2, RawElements.Float16)),
                "i8" => new(8, (b, s) => RawElements.Longs(b, s, 8, RawElements.Int64)),
                "u8" => new(8, (b, s) => RawElements.Longs(b, s, 8, RawElements.Int64)),
                "i4" => new(4, (b, s) => RawElements.Longs(b, s, 4, RawElements.Int32)),
                "u4" => new(4, (b, s) => RawElements.Longs(b, s, 4, RawElements.UInt32)),
                "i2" => new(2, (b, s) => RawElements.Longs(b, s, 2, RawElements.Int16)),
                "u2" => new(2, (b, s) => RawElements.Longs(b, s, 2, RawElements.UInt16)),
                "i1" => new(1, (b, s) => RawElements.Longs(b, s, 1, RawElements.Int8)),
                "u1" => new(1, (b, s) => RawElements.Longs(b, s, 1, RawElements.UInt8)),
                "b1" => new(1, RawElements.Bools),
                _ => throw new InvalidDataException($"Npy: unsupported dtype '{descr}'."),
            };
        }
    }
}
