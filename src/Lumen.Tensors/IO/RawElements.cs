using System.Buffers.Binary;


namespace Lumen.Tensors.IO;

/// <summary>Decoders from little-endian element bytes to Lumen tensors (shared by .npy and TensorProto raw_data).</summary>
internal static class RawElements
{
    public static float Float32(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadSingleLittleEndian(b);
    public static float Float64(ReadOnlySpan<byte> b) => (float)BinaryPrimitives.ReadDoubleLittleEndian(b);
    public static float Float16(ReadOnlySpan<byte> b) => (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(b));
    public static float BFloat16(ReadOnlySpan<byte> b) => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16);
    public static long Int64(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64LittleEndian(b);
    public static long Int32(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32LittleEndian(b);
    public static long UInt32(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32LittleEndian(b);
    public static long Int16(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt16LittleEndian(b);
    public static long UInt16(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt16LittleEndian(b);
    public static long Int8(ReadOnlySpan<byte> b) => (sbyte)b[0];
    public static long UInt8(ReadOnlySpan<byte> b) => b[0];

    /// <summary>A decoder that reads one element from its bytes.</summary>
    public delegate T Reader<T>(ReadOnlySpan<byte> bytes);

    public static Tensor Floats(ReadOnlySpan<byte> bytes, Shape shape, int size, Reader<float> read)
    {
        var data = new float[shape.Size];
        for (int i = 0; i < data.Length; i++) data[i] = read(bytes.Slice(i * size, size));
        return Create(data, shape);
    }

    public static Tensor Longs(ReadOnlySpan<byte> bytes, Shape shape, int size, Reader<long> read)
    {
        var data = new long[shape.Size];
        for (int i = 0; i < data.Length; i++) data[i] = read(bytes.Slice(i * size, size));
        return Create(data, shape);
    }

    public static Tensor Bools(byte[] bytes, Shape shape)
    {
        var data = new bool[shape.Size];
        for (int i = 0; i < data.Length; i++) data[i] = bytes[i] != 0;
        return Create(data, shape);
    }

    /// <summary>A float tensor of any rank, scalars included (FromArray alone turns an empty shape into a vector).</summary>
    public static Tensor Create(float[] data, Shape shape) =>
        shape.Rank == 0 ? Tensor.FromArray(data, 1).Reshape() : Tensor.FromArray(data, shape.ToArray());

    /// <summary>An int64 tensor of any rank.</summary>
    public static Tensor Create(long[] data, Shape shape) =>
        shape.Rank == 0 ? Tensor.FromArray(data, 1).Reshape() : Tensor.FromArray(data, shape.ToArray());

    /// <summary>A bool tensor of any rank.</summary>
    public static Tensor Create(bool[] data, Shape shape) =>
        shape.Rank == 0 ? Tensor.FromArray(data, 1).Reshape() : Tensor.FromArray(data, shape.ToArray());
}
