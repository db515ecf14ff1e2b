using System.Buffers.Binary;
using System.Text;
using Lumen.NN.IO;
using Lumen.Tensors;

namespace Lumen.NN.Tests;

public class SafetensorsTests
{
    [Fact]
    public void RoundTripsEveryWritableDTypeWithMetadataAndAlignment()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.FromArray([1.5f, -2f, float.MaxValue, 1e-30f, 0f, 3f], 2, 3),
            ["ids"] = Tensor.FromArray(new long[] { long.MinValue, 7 }),
            ["mask"] = Tensor.FromArray(new[] { true, false, true }),
            ["scalar"] = Tensor.Scalar(4f),
        };
        using var stream = new MemoryStream();
        Safetensors.Write(stream, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = stream.ToArray();
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8);
        stream.Position = 0;
        var file = Safetensors.Read(stream);
        Assert.Equal(["w", "ids", "mask", "scalar"], file.Tensors.Keys);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(tensors["w"].ToArray(), file.Tensors["w"].ToArray());
        Assert.Equal(new Shape(2, 3), file.Tensors["w"].Shape);
        Assert.Equal(tensors["ids"].ToInt64Array(), file.Tensors["ids"].ToInt64Array());
        Assert.Equal(tensors["mask"].ToBoolArray(), file.Tensors["mask"].ToBoolArray());
        Assert.Equal(Shape.Scalar, file.Tensors["scalar"].Shape);
    }

    [Fact]
    public void ReadsHalfBFloatDoubleAndInt32()
    {
        var data = new byte[2 + 2 + 8 + 4];
        BinaryPrimitives.WriteHalfLittleEndian(data, (Half)(-1.5f));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), (ushort)(BitConverter.SingleToInt32Bits(3.25f) >> 16));
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(4), 0.125);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(12), -9);
        const string header = """{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},"d":{"dtype":"F64","shape":[1],"data_offsets":[4,12]},"i":{"dtype":"I32","shape":[1],"data_offsets":[12,16]}}""";
        var file = Safetensors.Read(new MemoryStream(Assemble(header, data)));
        Assert.Equal(-1.5f, file.Tensors["h"][0]);
        Assert.Equal(3.25f, file.Tensors["b"][0]);
        Assert.Equal(0.125f, file.Tensors["d"][0]);
        Assert.Equal(DType.Int64, file.Tensors["i"].DType);
        Assert.Equal(-9f, file.Tensors["i"][0]);
        Assert.Empty(file.Metadata);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", "needs 8 bytes")]
    [InlineData("""{"a":{"dtype":"U4","shape":[1],"data_offsets":[0,1]}}""", "unsupported dtype 'U4'")]
    [InlineData("""{"a":{"shape":[1]}}""", "needs dtype, shape and data_offsets")]
    [InlineData("""{"a":""", "not valid JSON")]
    [InlineData("""[1]""", "not a JSON object")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "ends inside the data section")]
    public void MalformedFilesAreRejectedWithAReason(string header, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => Safetensors.Read(new MemoryStream(Assemble(header, new byte[8]))));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void TruncatedHeaderAndAbsurdHeaderLengthAreRejected()
    {
        Assert.Contains("header length", Assert.Throws<InvalidDataException>(() => Safetensors.Read(new MemoryStream(new byte[3]))).Message);
        var huge = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue);
        Assert.Contains("not in", Assert.Throws<InvalidDataException>(() => Safetensors.Read(new MemoryStream(huge))).Message);
    }

    [Fact]
    public void WriteRejectsRepeatedOrReservedNames()
    {
        var list = new[] { KeyValuePair.Create("a", Tensor.Ones(1)), KeyValuePair.Create("a", Tensor.Ones(1)) };
        Assert.Throws<ArgumentException>(() => Safetensors.Write(new MemoryStream(), list));
        Assert.Throws<ArgumentException>(() => Safetensors.Write(new MemoryStream(), [KeyValuePair.Create("__metadata__", Tensor.Ones(1))]));
    }

    [Fact]
    public void SavesAndLoadsAModule()
    {
        var source = new TwoBlocks();
        source.Second.Shift.Value.AsSpan()[0] = 42f;
        var path = Path.Combine(Path.GetTempPath(), $"lumen-{Guid.NewGuid():N}.safetensors");
        try
        {
            Safetensors.Save(source, path, new Dictionary<string, string> { ["epoch"] = "3" });
            var target = new TwoBlocks();
            var metadata = Safetensors.Load(target, path);
            Assert.Equal("3", metadata["epoch"]);
            Assert.Equal(42f, target.Second.Shift.Value[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RoundTripsBatchNormBuffersIncludingTheInt64Counter()
    {
        var source = new Sequential(new Lumen.NN.Layers.BatchNorm2d(3));
        source.Call(Tensor.Randn(new Shape(2, 3, 4, 4), 1) + 2f);
        using var stream = new MemoryStream();
        Safetensors.Write(stream, source.StateDict());
        stream.Position = 0;
        var target = new Sequential(new Lumen.NN.Layers.BatchNorm2d(3));
        target.LoadStateDict(Safetensors.Read(stream).Tensors);
        Assert.Equal(source.StateDict()["0.running_mean"].ToArray(), target.StateDict()["0.running_mean"].ToArray());
        Assert.Equal(1L, target.StateDict()["0.num_batches_tracked"].ToInt64Array()[0]);
        Assert.Equal(Shape.Scalar, target.StateDict()["0.num_batches_tracked"].Shape);
    }

    [SharedFact("models/lm/stories260K/stories260K.safetensors")]
    public void ReadsTheStories260KCheckpoint()
    {
        var path = SharedData.Path("models/lm/stories260K/stories260K.safetensors");
        var file = Safetensors.Read(path);
        Assert.Equal(47, file.Tensors.Count);
        Assert.Equal(new Shape(512, 64), file.Tensors["tok_embeddings.weight"].Shape);
        Assert.Equal(new Shape(32, 64), file.Tensors["layers.0.attention.wk.weight"].Shape);
        Assert.Equal(new Shape(172, 64), file.Tensors["layers.4.feed_forward.w1.weight"].Shape);
        Assert.Equal(new Shape(64), file.Tensors["norm.weight"].Shape);
        Assert.Equal("8", file.Metadata["n_heads"]);
        Assert.All(file.Tensors.Values, t => Assert.All(t.ToArray(), v => Assert.True(float.IsFinite(v))));
        // RMSNorm gains are learned scales around 1, not garbage from misaligned offsets.
        Assert.InRange(file.Tensors["norm.weight"].ToArray().Average(), 0.2f, 5f);
    }

    private static byte[] Assemble(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }
}
