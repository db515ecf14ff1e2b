using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Lumen.Tensors;

namespace Lumen.NN.IO;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c>
/// (offsets relative to the data section) plus an optional <c>"__metadata__"</c> string map, then the raw
/// little-endian data.
/// </summary>
/// <remarks>Writes F32, I64 and BOOL. Reads F32, F16, BF16 and F64 (as Float32), I64 and I32 (as Int64) and BOOL.</remarks>
/// <example><code>
/// Safetensors.Save(model, "mnist-cnn.safetensors");
/// Safetensors.Load(model, "mnist-cnn.safetensors");       // copies into the model's parameters
/// var file = Safetensors.Read("stories260K.safetensors");  // names → tensors, plus metadata
/// </code></example>
public static class Safetensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>Reads every tensor and the metadata from a stream.</summary>
    /// <exception cref="InvalidDataException">The file is truncated or its header is malformed; the message says where.</exception>
    public static SafetensorsFile Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var lengthBytes = new byte[8];
        ReadAll(stream, lengthBytes, "header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"Safetensors: header length {headerLength} is not in (0, {MaxHeaderBytes}].");
        var header = new byte[headerLength];
        ReadAll(stream, header, "header");
        using var json = ParseHeader(header);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
        foreach (var property in json.RootElement.EnumerateObject())
        {
            if (property.Name == MetadataKey)
            {
                if (property.Value.ValueKind != JsonValueKind.Object) throw new InvalidDataException("Safetensors: __metadata__ must be an object of strings.");
                foreach (var m in property.Value.EnumerateObject())
                    metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                continue;
            }
            entries.Add(ParseEntry(property));
        }
        long dataLength = entries.Count == 0 ? 0 : entries.Max(e => e.End);
        var data = new byte[dataLength];
        ReadAll(stream, data, "data section");
        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, dtype, shape, begin, end) in entries)
            tensors.Add(name, Decode(name, dtype, new Shape(shape), data.AsSpan((int)begin, (int)(end - begin))));
        return new SafetensorsFile(tensors, metadata);
    }

    /// <summary>Reads every tensor and the metadata from a file.</summary>
    public static SafetensorsFile Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream);
    }

    /// <summary>Writes <paramref name="tensors"/> (Float32 as F32, Int64 as I64, Bool as BOOL) in the given order.</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated, or reserved.</exception>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var headerBuffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(headerBuffer))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in list)
            {
                if (string.IsNullOrEmpty(name) || name == MetadataKey || !names.Add(name))
                    throw new ArgumentException($"Safetensors.Write: tensor name '{name}' is empty, reserved or repeated.", nameof(tensors));
                long size = (long)tensor.Size * ElementSize(tensor.DType);
                writer.WriteStartObject(name);
                writer.WriteString("dtype", DTypeName(tensor.DType));
                writer.WriteStartArray("shape");
                foreach (var d in tensor.Shape.Dims) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + size);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += size;
            }
            writer.WriteEndObject();
        }
        // Pad the header with spaces so that the data section starts 8-byte aligned.
        int padding = (int)((8 - headerBuffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) headerBuffer.WriteByte((byte)' ');
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)headerBuffer.Length);
        stream.Write(lengthBytes);
        headerBuffer.Position = 0;
        headerBuffer.CopyTo(stream);
        foreach (var (_, tensor) in list) stream.Write(Encode(tensor));
    }

    /// <summary>Writes tensors to a file (created or overwritten).</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = File.Create(path);
        Write(stream, tensors, metadata);
    }

    /// <summary>Saves a module's <see cref="Module.StateDict"/> to a file.</summary>
    public static void Save(Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Write(path, module.StateDict(), metadata);
    }

    /// <summary>Loads a file into a module's parameters and buffers (see <see cref="Module.LoadStateDict"/>) and
    /// returns the file's metadata.</summary>
    public static IReadOnlyDictionary<string, string> Load(Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var file = Read(path);
        module.LoadStateDict(file.Tensors, strict);
        return file.Metadata;
    }

    private static JsonDocument ParseHeader(byte[] header)
    {
        try
        {
            var json = JsonDocument.Parse(header);
            if (json.RootElement.ValueKind != JsonValueKind.Object) { json.Dispose(); throw new InvalidDataException("Safetensors: the header is not a JSON object."); }
            return json;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Safetensors: the header is not valid JSON ({e.Message}).", e);
        }
    }

    private static (string, string, int[], long, long) ParseEntry(JsonProperty property)
    {
        var name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object
            || !v.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new InvalidDataException($"Safetensors: entry '{name}' needs dtype, shape and data_offsets [begin, end].");
        try
        {
            var dims = shape.EnumerateArray().Select(d => d.GetInt32()).ToArray();
            long begin = offsets[0].GetInt64(), end = offsets[1].GetInt64();
            var dtypeName = dtype.GetString()!;
            long expected = new Shape(dims).Size * (long)SourceElementSize(name, dtypeName);
            if (begin < 0 || end - begin != expected || end > int.MaxValue)
                throw new InvalidDataException($"Safetensors: entry '{name}' ({dtypeName} [{string.Join(", ", dims)}]) has data_offsets [{begin}, {end}] but needs {expected} bytes.");
            return (name, dtypeName, dims, begin, end);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"Safetensors: entry '{name}' has a malformed shape or offsets ({e.Message}).", e);
        }
    }

    private static int SourceElementSize(string name, string dtype) => dtype switch
    {
        "F32" or "I32" => 4,
        "F16" or "BF16" => 2,
        "F64" or "I64" => 8,
        "BOOL" => 1,
        _ => throw new InvalidDataException($"Safetensors: entry '{name}' has unsupported dtype '{dtype}' (supported: F32, F16, BF16, F64, I64, I32, BOOL)."),
    };

    private static Tensor Decode(string name, string dtype, Shape shape, ReadOnlySpan<byte> bytes)
    {
        int n = shape.Size;
        switch (dtype)
        {
            case "BOOL":
            {
                var result = Tensor.Empty(shape, DType.Bool);
                var data = result.AsBoolSpan();
                for (int i = 0; i < n; i++) data[i] = bytes[i] != 0;
                return result;
            }
            case "I64" or "I32":
            {
                var result = Tensor.Empty(shape, DType.Int64);
                var data = result.AsInt64Span();
                for (int i = 0; i < n; i++)
                    data[i] = dtype == "I64" ? BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]) : BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                return result;
            }
            default:
            {
                var result = Tensor.Zeros(shape);
                var data = result.AsSpan();
                for (int i = 0; i < n; i++)
                    data[i] = dtype switch
                    {
                        "F32" => BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]),
                        "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]),
                        "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16),
                        "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]),
                        _ => throw new InvalidDataException($"Safetensors: entry '{name}' has unsupported dtype '{dtype}'."),
                    };
                return result;
            }
        }
    }

    private static byte[] Encode(Tensor tensor)
    {
        var bytes = new byte[(long)tensor.Size * ElementSize(tensor.DType)];
        switch (tensor.DType)
        {
            case DType.Float32:
            {
                var data = tensor.AsReadOnlySpan();
                for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), data[i]);
                break;
            }
            case DType.Int64:
            {
                var data = tensor.AsInt64Span();
                for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), data[i]);
                break;
            }
            default:
            {
                var data = tensor.AsBoolSpan();
                for (int i = 0; i < data.Length; i++) bytes[i] = data[i] ? (byte)1 : (byte)0;
                break;
            }
        }
        return bytes;
    }

    private static int ElementSize(DType dtype) => dtype switch { DType.Float32 => 4, DType.Int64 => 8, _ => 1 };

    private static string DTypeName(DType dtype) => dtype switch { DType.Float32 => "F32", DType.Int64 => "I64", _ => "BOOL" };

    private static void ReadAll(Stream stream, byte[] buffer, string part)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Safetensors: the file ends inside the {part} ({buffer.Length.ToString(CultureInfo.InvariantCulture)} bytes expected).", e);
        }
    }

}
