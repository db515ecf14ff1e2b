using Lumen.Tensors.IO;
using System.Buffers.Binary;
using Google.Protobuf;
using Lumen.Onnx.Schema;
using Lumen.Tensors;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.IO;

/// <summary>
/// Converts between ONNX <c>TensorProto</c> messages and Lumen tensors, and reads/writes serialized TensorProto
/// (<c>.pb</c>) files such as the ONNX backend test data.
/// </summary>
/// <remarks>
/// Element types are widened to Lumen's three storage types: float16, bfloat16, float64 and the narrow float types
/// (float8, float4, E8M0; see <see cref="NarrowTypes"/>) become Float32 (float64 loses precision beyond float32);
/// every integer type, the packed 4-bit and 2-bit ones included, becomes Int64; bool stays Bool. Data is taken from
/// <c>raw_data</c> (little-endian), from the typed fields (<c>float_data</c>, <c>int32_data</c> — which also carries
/// 8/16-bit ints, bool and the bit patterns of float16/bfloat16 —, <c>int64_data</c>, <c>double_data</c>,
/// <c>uint64_data</c>), or from an external file named by <c>external_data</c> (location, offset, length), resolved
/// relative to the model's directory.
/// </remarks>
public static class OnnxTensors
{
    /// <summary>Reads a serialized TensorProto (.pb) file into a tensor.</summary>
    public static Tensor ReadPb(string path)
    {
        TensorProto proto;
        try { proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)); }
        catch (InvalidProtocolBufferException e) { throw new OnnxException($"{path}: not a valid serialized TensorProto ({e.Message}).", e); }
        return ToTensor(proto, Path.GetDirectoryName(Path.GetFullPath(path)), path);
    }

    /// <summary>Writes a tensor as a serialized TensorProto (.pb) file.</summary>
    public static void WritePb(string path, Tensor tensor, string name = "")
    {
        using var stream = File.Create(path);
        FromTensor(tensor, name).WriteTo(stream);
    }

    /// <summary>True when Lumen can hold values of this ONNX element type (it may widen them).</summary>
    public static bool IsSupported(int dataType) => dataType switch
    {
        (int)DataType.Float or (int)DataType.Float16 or (int)DataType.Bfloat16 or (int)DataType.Double
            or (int)DataType.Int64 or (int)DataType.Int32 or (int)DataType.Int16 or (int)DataType.Int8
            or (int)DataType.Uint8 or (int)DataType.Uint16 or (int)DataType.Uint32 or (int)DataType.Uint64
            or (int)DataType.Bool => true,
        _ => NarrowTypes.Handles(dataType),
    };

    /// <summary>The Lumen storage type that holds ONNX element type <paramref name="dataType"/>.</summary>
    public static DType StorageOf(int dataType) => dataType switch
    {
        (int)DataType.Float or (int)DataType.Float16 or (int)DataType.Bfloat16 or (int)DataType.Double => DType.Float32,
        (int)DataType.Bool => DType.Bool,
        _ when NarrowTypes.IsFloat(dataType) => DType.Float32,
        _ => DType.Int64,
    };

    /// <summary>The ONNX name of an element type, e.g. "FLOAT16".</summary>
    public static string TypeName(int dataType) =>
        Enum.IsDefined(typeof(DataType), dataType) ? ((DataType)dataType).ToString().ToUpperInvariant() : $"type {dataType}";

    /// <summary>Converts a TensorProto into a tensor.</summary>
    /// <param name="proto">The message.</param>
    /// <param name="baseDirectory">Directory that external-data locations are relative to (the model's).</param>
    /// <param name="source">The file the message came from, for error messages.</param>
    public static Tensor ToTensor(TensorProto proto, string? baseDirectory = null, string source = "")
    {
        ArgumentNullException.ThrowIfNull(proto);
        string where = $"{(source.Length > 0 ? source + ": " : "")}tensor '{proto.Name}'";
        var dims = new int[proto.Dims.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            if (proto.Dims[i] < 0 || proto.Dims[i] > int.MaxValue)
                throw new OnnxException($"{where} has invalid dimension {proto.Dims[i]}.");
            dims[i] = (int)proto.Dims[i];
        }
        Shape shape;
        try { shape = new Shape(dims); }
        catch (ArgumentException e) { throw new OnnxException($"{where}: {e.Message}", e); }
        int type = proto.DataType;
        if (!IsSupported(type))
            throw new OnnxException($"{where} has element type {TypeName(type)}, which Lumen does not support.");

        ReadOnlySpan<byte> raw;
        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
            raw = ReadExternal(proto, baseDirectory, where);
        else if (!proto.RawData.IsEmpty)
            raw = proto.RawData.Span;
        else
            return FromTypedFields(proto, shape, where);

        long needed = NarrowTypes.Handles(type) ? NarrowTypes.ByteCount(type, shape.Size) : (long)shape.Size * ElementSize(type);
        if (raw.Length != needed)
            throw new OnnxException($"{where} of shape {shape} and type {TypeName(type)} needs {needed} bytes of data but has {raw.Length}.");
        if (NarrowTypes.Handles(type)) return FromNarrowCodes(NarrowTypes.Unpack(raw, type, shape.Size), type, shape);
        int size = ElementSize(type);
        return type switch
        {
            (int)DataType.Float => RawElements.Floats(raw, shape, 4, RawElements.Float32),
            (int)DataType.Float16 => RawElements.Floats(raw, shape, 2, RawElements.Float16),
            (int)DataType.Bfloat16 => RawElements.Floats(raw, shape, 2, RawElements.BFloat16),
            (int)DataType.Double => RawElements.Floats(raw, shape, 8, RawElements.Float64),
            (int)DataType.Int64 or (int)DataType.Uint64 => RawElements.Longs(raw, shape, 8, RawElements.Int64),
            (int)DataType.Int32 => RawElements.Longs(raw, shape, 4, RawElements.Int32),
            (int)DataType.Uint32 => RawElements.Longs(raw, shape, 4, RawElements.UInt32),
            (int)DataType.Int16 => RawElements.Longs(raw, shape, 2, RawElements.Int16),
            (int)DataType.Uint16 => RawElements.Longs(raw, shape, 2, RawElements.UInt16),
            (int)DataType.Int8 => RawElements.Longs(raw, shape, 1, RawElements.Int8),
            (int)DataType.Uint8 => RawElements.Longs(raw, shape, 1, RawElements.UInt8),
            _ => RawElements.Bools(raw.ToArray(), shape),
        };
    }

    /// <summary>Converts a tensor into a TensorProto (FLOAT, INT64 or BOOL, data in raw_data).</summary>
    public static TensorProto FromTensor(Tensor tensor, string name = "")
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var proto = new TensorProto { Name = name };
        foreach (var d in tensor.Shape.Dims) proto.Dims.Add(d);
        switch (tensor.DType)
        {
            case DType.Float32:
                proto.DataType = (int)DataType.Float;
                proto.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.AsReadOnlySpan()));
                break;
            case DType.Int64:
                proto.DataType = (int)DataType.Int64;
                proto.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.AsInt64Span()));
                break;
            default:
                proto.DataType = (int)DataType.Bool;
                var bytes = new byte[tensor.Size];
                var src = tensor.AsBoolSpan();
                for (int i = 0; i < bytes.Length; i++) bytes[i] = src[i] ? (byte)1 : (byte)0;
                proto.RawData = ByteString.CopyFrom(bytes);
                break;
        }
        return proto;
    }

    private static int ElementSize(int type) => type switch
    {
        (int)DataType.Double or (int)DataType.Int64 or (int)DataType.Uint64 => 8,
        (int)DataType.Float or (int)DataType.Int32 or (int)DataType.Uint32 => 4,
        (int)DataType.Float16 or (int)DataType.Bfloat16 or (int)DataType.Int16 or (int)DataType.Uint16 => 2,
        _ => 1,
    };

    private static Tensor FromTypedFields(TensorProto proto, Shape shape, string where)
    {
        int type = proto.DataType;
        int n = shape.Size;
        int available = type switch
        {
            (int)DataType.Float => proto.FloatData.Count,
            (int)DataType.Double => proto.DoubleData.Count,
            (int)DataType.Int64 => proto.Int64Data.Count,
            (int)DataType.Uint32 or (int)DataType.Uint64 => proto.Uint64Data.Count,
            _ => proto.Int32Data.Count,
        };
        if (NarrowTypes.Handles(type))
        {
            // int32_data holds one byte per entry: a float8 code, or 4-bit/2-bit codes packed low bits first.
            long bytesNeeded = NarrowTypes.ByteCount(type, n);
            if (available != bytesNeeded && available != n)
                throw new OnnxException($"{where} of shape {shape} and type {TypeName(type)} has {available} values in its typed data field, expected {bytesNeeded}.");
            var packedBytes = proto.Int32Data.Select(v => (byte)v).ToArray();
            var codes = available == bytesNeeded ? NarrowTypes.Unpack(packedBytes, type, n) : [.. packedBytes.Select(b => (int)b)];
            return FromNarrowCodes(codes, type, shape);
        }
        if (available != n)
            throw new OnnxException($"{where} of shape {shape} and type {TypeName(type)} has {available} values in its typed data field, expected {n}.");
        switch (type)
        {
            case (int)DataType.Float:
            case (int)DataType.Double:
            case (int)DataType.Float16:
            case (int)DataType.Bfloat16:
            {
                var data = new float[n];
                for (int i = 0; i < n; i++)
                {
                    data[i] = type switch
                    {
                        (int)DataType.Float => proto.FloatData[i],
                        (int)DataType.Double => (float)proto.DoubleData[i],
                        (int)DataType.Float16 => (float)BitConverter.UInt16BitsToHalf((ushort)proto.Int32Data[i]),
                        _ => BitConverter.Int32BitsToSingle((proto.Int32Data[i] & 0xFFFF) << 16),
                    };
                }
                return RawElements.Create(data, shape);
            }
            case (int)DataType.Bool:
            {
                var data = new bool[n];
                for (int i = 0; i < n; i++) data[i] = proto.Int32Data[i] != 0;
                return RawElements.Create(data, shape);
            }
            default:
            {
                var data = new long[n];
                for (int i = 0; i < n; i++)
                {
                    data[i] = type switch
                    {
                        (int)DataType.Int64 => proto.Int64Data[i],
                        (int)DataType.Uint32 or (int)DataType.Uint64 => (long)proto.Uint64Data[i],
                        _ => proto.Int32Data[i],
                    };
                }
                return RawElements.Create(data, shape);
            }
        }
    }

    private static Tensor FromNarrowCodes(int[] codes, int type, Shape shape) =>
        NarrowTypes.IsFloat(type)
            ? RawElements.Create([.. codes.Select(c => NarrowTypes.DecodeFloat(c, type))], shape)
            : RawElements.Create([.. codes.Select(c => NarrowTypes.DecodeInteger(c, type))], shape);

    private static byte[] ReadExternal(TensorProto proto, string? baseDirectory, string where)
    {
        string? location = null;
        long offset = 0, length = -1;
        foreach (var entry in proto.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offset = ParseLong(entry.Value, "offset", where); break;
                case "length": length = ParseLong(entry.Value, "length", where); break;
            }
        }
        if (string.IsNullOrEmpty(location)) throw new OnnxException($"{where} is stored externally but names no location.");
        if (baseDirectory is null) throw new OnnxException($"{where} is stored in external file '{location}', but the model was loaded from a stream without a base directory.");
        string path = Path.GetFullPath(Path.Combine(baseDirectory, location));
        if (!File.Exists(path)) throw new OnnxException($"{where}: external data file '{path}' does not exist.");
        using var stream = File.OpenRead(path);
        if (length < 0) length = stream.Length - offset;
        if (offset < 0 || offset + length > stream.Length)
            throw new OnnxException($"{where}: external data range [{offset}, {offset + length}) lies outside '{path}' ({stream.Length} bytes).");
        var buffer = new byte[length];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static long ParseLong(string text, string key, string where) =>
        long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : throw new OnnxException($"{where}: external data {key} '{text}' is not an integer.");

}
