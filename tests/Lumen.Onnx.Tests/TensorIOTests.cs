using Lumen.Tensors.IO;
using Google.Protobuf;
using Lumen.Onnx.IO;
using Lumen.Onnx.Schema;
using Lumen.Tensors;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

public class TensorIOTests
{
    [Fact]
    public void TensorProtoRoundTripsEveryStorageType()
    {
        var f = Tensor.FromArray([1.5f, -2f, 3.25f, 0f, 7f, -0.5f], 2, 3);
        var l = Tensor.FromArray([1L, -2L, long.MaxValue], 3);
        var b = Tensor.FromArray([true, false, true, true], 2, 2);
        foreach (var t in new[] { f, l, b })
        {
            var back = OnnxTensors.ToTensor(TensorProto.Parser.ParseFrom(OnnxTensors.FromTensor(t, "x").ToByteArray()));
            Assert.Equal(t.Shape, back.Shape);
            Assert.Equal(t.DType, back.DType);
            Assert.Null(Testing.BackendTest.Compare(back, t));
        }
    }

    [Fact]
    public void ScalarTensorKeepsRankZero()
    {
        var proto = new TensorProto { DataType = (int)DataType.Float };
        proto.FloatData.Add(4.5f);
        var t = OnnxTensors.ToTensor(proto);
        Assert.Equal(0, t.Rank);
        Assert.Equal(4.5f, t.Item());
    }

    [Fact]
    public void TypedFieldsWidenHalfBFloatIntsAndDoubles()
    {
        var half = new TensorProto { DataType = (int)DataType.Float16, Dims = { 2 } };
        half.Int32Data.Add(BitConverter.HalfToUInt16Bits((Half)1.5f));
        half.Int32Data.Add(BitConverter.HalfToUInt16Bits((Half)(-0.25f)));
        Assert.Equal([1.5f, -0.25f], OnnxTensors.ToTensor(half).ToArray());

        var bf = new TensorProto { DataType = (int)DataType.Bfloat16, Dims = { 1 } };
        bf.Int32Data.Add((int)(BitConverter.SingleToUInt32Bits(3.0f) >> 16));
        Assert.Equal([3.0f], OnnxTensors.ToTensor(bf).ToArray());

        var i8 = new TensorProto { DataType = (int)DataType.Int8, Dims = { 2 } };
        i8.Int32Data.Add(-7); i8.Int32Data.Add(100);
        Assert.Equal([-7L, 100L], OnnxTensors.ToTensor(i8).ToInt64Array());

        var dbl = new TensorProto { DataType = (int)DataType.Double, Dims = { 1 } };
        dbl.DoubleData.Add(0.1);
        Assert.Equal([0.1f], OnnxTensors.ToTensor(dbl).ToArray());
    }

    [Fact]
    public void RawDataDecodesLittleEndianHalfAndUint8()
    {
        var half = new TensorProto { DataType = (int)DataType.Float16, Dims = { 2 } };
        var bytes = new byte[4];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 2), BitConverter.HalfToUInt16Bits((Half)2f));
        BitConverter.TryWriteBytes(bytes.AsSpan(2, 2), BitConverter.HalfToUInt16Bits((Half)(-1f)));
        half.RawData = ByteString.CopyFrom(bytes);
        Assert.Equal([2f, -1f], OnnxTensors.ToTensor(half).ToArray());

        var u8 = new TensorProto { DataType = (int)DataType.Uint8, Dims = { 3 }, RawData = ByteString.CopyFrom(1, 200, 255) };
        Assert.Equal([1L, 200L, 255L], OnnxTensors.ToTensor(u8).ToInt64Array());
    }

    [Fact]
    public void WrongDataLengthNamesTensorAndShape()
    {
        var proto = new TensorProto { Name = "w", DataType = (int)DataType.Float, Dims = { 2, 2 }, RawData = ByteString.CopyFrom(new byte[12]) };
        var e = Assert.Throws<OnnxException>(() => OnnxTensors.ToTensor(proto, null, "m.onnx"));
        Assert.Contains("m.onnx", e.Message);
        Assert.Contains("'w'", e.Message);
        Assert.Contains("[2, 2]", e.Message);
    }

    [Fact]
    public void UnsupportedElementTypeIsReported()
    {
        var proto = new TensorProto { Name = "s", DataType = (int)DataType.String, Dims = { 1 } };
        var e = Assert.Throws<OnnxException>(() => OnnxTensors.ToTensor(proto));
        Assert.Contains("STRING", e.Message);
    }

    [Fact]
    public void ExternalDataIsReadRelativeToTheModel()
    {
        var dir = Directory.CreateTempSubdirectory("lumen-ext").FullName;
        try
        {
            var values = new float[] { 9f, 1f, 2f, 3f };
            var bytes = new byte[4 + 12];
            Buffer.BlockCopy(values, 0, bytes, 0, 16);
            File.WriteAllBytes(Path.Combine(dir, "weights.bin"), bytes);
            var proto = new TensorProto { Name = "w", DataType = (int)DataType.Float, Dims = { 3 }, DataLocation = TensorProto.Types.DataLocation.External };
            proto.ExternalData.Add(StringStringEntry("location", "weights.bin"));
            proto.ExternalData.Add(StringStringEntry("offset", "4"));
            proto.ExternalData.Add(StringStringEntry("length", "12"));
            Assert.Equal([1f, 2f, 3f], OnnxTensors.ToTensor(proto, dir).ToArray());

            proto.ExternalData[0].Value = "missing.bin";
            Assert.Contains("missing.bin", Assert.Throws<OnnxException>(() => OnnxTensors.ToTensor(proto, dir)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void NpyRoundTripsFloatIntAndBool()
    {
        foreach (var t in new[] { Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 3, 2), Tensor.FromArray([5L, -6L], 2), Tensor.FromArray([true, false], 1, 2) })
        {
            using var ms = new MemoryStream();
            Npy.Write(ms, t);
            var bytes = ms.ToArray();
            Assert.Equal(0, (10 + bytes[8] + 256 * bytes[9]) % 64); // header padded to 64 bytes
            ms.Position = 0;
            var back = Npy.Read(ms);
            Assert.Equal(t.Shape, back.Shape);
            Assert.Null(Testing.BackendTest.Compare(back, t));
        }
    }

    [Fact]
    public void NpyReadsNumpyHeaderWithFloat64AndScalarShape()
    {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
        header = header.PadRight(118) + "\n";
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
        ms.Write(System.Text.Encoding.ASCII.GetBytes(header));
        ms.Write(BitConverter.GetBytes(2.5));
        ms.Position = 0;
        var t = Npy.Read(ms);
        Assert.Equal(0, t.Rank);
        Assert.Equal(2.5f, t.Item());
    }

    [Fact]
    public void NpyRejectsTruncatedAndForeignFiles()
    {
        Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream([1, 2, 3])));
        using var ms = new MemoryStream();
        Npy.Write(ms, Tensor.FromArray([1f, 2f, 3f], 3));
        var cut = ms.ToArray()[..^4];
        Assert.Contains("ends after", Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(cut))).Message);
    }

    private static StringStringEntryProto StringStringEntry(string key, string value) => new() { Key = key, Value = value };
}
