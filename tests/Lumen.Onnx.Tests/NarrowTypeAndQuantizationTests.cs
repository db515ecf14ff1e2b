using Google.Protobuf;
using Lumen.Onnx.IO;
using Lumen.Onnx.Schema;
using Lumen.Tensors;
using Lumen.Tensors.Tests;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>Narrow element types (float8, float4, E8M0, int4/int2) against hand-computed bit patterns, linear
/// quantization against its formula, and the gradients of the new float composites (Resize, DequantizeLinear).</summary>
public class NarrowTypeAndQuantizationTests
{
    [Theory]
    [InlineData(DataType.Float8E4M3Fn, 0x7E, 448f)]
    [InlineData(DataType.Float8E4M3Fn, 0x01, 0.001953125f)] // smallest subnormal 2^-9
    [InlineData(DataType.Float8E4M3Fn, 0xB8, -1f)]
    [InlineData(DataType.Float8E4M3Fnuz, 0x7F, 240f)]
    [InlineData(DataType.Float8E5M2, 0x7B, 57344f)]
    [InlineData(DataType.Float8E5M2, 0x7C, float.PositiveInfinity)]
    [InlineData(DataType.Float8E5M2Fnuz, 0x01, 7.62939453e-06f)] // 2^-17
    [InlineData(DataType.Float4E2M1, 0x7, 6f)]
    [InlineData(DataType.Float4E2M1, 0x9, -0.5f)]
    [InlineData(DataType.Float8E8M0, 127, 1f)]
    [InlineData(DataType.Float8E8M0, 130, 8f)]
    public void DecodesFloatCodes(DataType type, int code, float expected) =>
        Assert.Equal(expected, NarrowTypes.DecodeFloat(code, (int)type));

    [Theory]
    [InlineData(DataType.Float8E4M3Fn, 0x7F)]
    [InlineData(DataType.Float8E4M3Fnuz, 0x80)]
    [InlineData(DataType.Float8E5M2, 0x7D)]
    [InlineData(DataType.Float8E5M2Fnuz, 0x80)]
    [InlineData(DataType.Float8E8M0, 255)]
    public void DecodesNaNCodes(DataType type, int code) => Assert.True(float.IsNaN(NarrowTypes.DecodeFloat(code, (int)type)));

    [Theory]
    [InlineData(DataType.Float8E4M3Fn, 464f, true, 448f)]          // tie between 448 (even) and 480 → 448
    [InlineData(DataType.Float8E4M3Fn, 1000f, true, 448f)]         // saturates
    [InlineData(DataType.Float8E4M3Fn, 1000f, false, float.NaN)]   // no infinity in E4M3FN
    [InlineData(DataType.Float8E5M2, 1e6f, false, float.PositiveInfinity)]
    [InlineData(DataType.Float8E5M2, float.NegativeInfinity, true, -57344f)]
    [InlineData(DataType.Float8E4M3Fn, 1.0625f, true, 1f)]         // tie between 1 (even) and 1.125 → 1
    [InlineData(DataType.Float8E4M3Fn, 1.1875f, true, 1.25f)]      // tie between 1.125 (odd) and 1.25 → 1.25
    [InlineData(DataType.Float4E2M1, 0.25f, true, 0f)]             // tie between 0 (even) and 0.5 → 0
    [InlineData(DataType.Float4E2M1, -3.5f, true, -4f)]            // tie between 3 (odd) and 4 → 4
    [InlineData(DataType.Float4E2M1, 100f, false, 6f)]             // float4 always saturates
    public void RoundsToNearestEvenAndSaturates(DataType type, float value, bool saturate, float expected) =>
        Assert.Equal(expected, NarrowTypes.RoundFloat(value, (int)type, saturate));

    [Fact]
    public void RoundsToPowersOfTwoForE8M0()
    {
        Assert.Equal(4f, NarrowTypes.RoundToE8M0(3f, "up", saturate: true));
        Assert.Equal(2f, NarrowTypes.RoundToE8M0(3f, "down", saturate: true));
        Assert.Equal(4f, NarrowTypes.RoundToE8M0(3f, "nearest", saturate: true));
        Assert.Equal(2f, NarrowTypes.RoundToE8M0(2.9f, "nearest", saturate: true));
        Assert.Equal(2f, NarrowTypes.RoundToE8M0(2f, "up", saturate: true));
    }

    [Fact]
    public void ReadsPackedInt4AndUInt2LowBitsFirst()
    {
        var int4 = new TensorProto { DataType = (int)DataType.Int4, Dims = { 3 }, RawData = ByteString.CopyFrom(0x87, 0x0F) };
        Assert.Equal([7L, -8L, -1L], OnnxTensors.ToTensor(int4).ToInt64Array());
        var uint2 = new TensorProto { DataType = (int)DataType.Uint2, Dims = { 5 }, RawData = ByteString.CopyFrom(0b11_10_01_00, 0b10) };
        Assert.Equal([0L, 1L, 2L, 3L, 2L], OnnxTensors.ToTensor(uint2).ToInt64Array());
        var short4 = new TensorProto { DataType = (int)DataType.Int4, Dims = { 4 }, RawData = ByteString.CopyFrom(0x87) };
        Assert.Throws<OnnxException>(() => OnnxTensors.ToTensor(short4));
    }

    [Fact]
    public void CastWrapsIntoInt4AndRoundsIntoFloat8()
    {
        var toInt4 = new OnnxBuilder(21).Input("x", DataType.Float, 4).Node("Cast", ["x"], ["y"], ("to", (long)DataType.Int4)).Output("y", DataType.Int4, 4).Build();
        Assert.Equal([7L, -8L, 7L, -1L], toInt4.Call(Tensor.FromArray([-9f, 8f, 7f, 15f], 4)).ToInt64Array());
        var toFloat8 = new OnnxBuilder(21).Input("x", DataType.Float, 3).Node("Cast", ["x"], ["y"], ("to", (long)DataType.Float8E4M3Fn), ("saturate", 0L))
            .Output("y", DataType.Float8E4M3Fn, 3).Build();
        var y = toFloat8.Call(Tensor.FromArray([0.3f, -17f, 500f], 3)).ToArray();
        Assert.Equal(0.3125f, y[0]);   // 0.3 lies between 0.28125 and 0.3125 (quantum 2^-5), nearer the latter
        Assert.Equal(-16f, y[1]);      // quantum 2 at [16, 32): −17 is a tie, 16 is even
        Assert.True(float.IsNaN(y[2]));
    }

    [Fact]
    public void QuantizeLinearRoundsHalfToEvenAddsZeroPointAndSaturates()
    {
        var builder = new OnnxBuilder(21).Input("x", DataType.Float, 5).Initializer("scale", Tensor.Scalar(2f));
        builder.Graph.Initializer.Add(new TensorProto { Name = "zero", DataType = (int)DataType.Uint8, RawData = ByteString.CopyFrom(128) });
        var model = builder.Node("QuantizeLinear", ["x", "scale", "zero"], ["q"]).Output("q", DataType.Uint8, 5).Build();
        // x/2 = −0.75, 0, 1.25, 1.5, 150 → RNE −1, 0, 1, 2, 150 → +128 → 127, 128, 129, 130, 278 → 255
        Assert.Equal([127L, 128L, 129L, 130L, 255L], model.Call(Tensor.FromArray([-1.5f, 0f, 2.5f, 3f, 300f], 5)).ToInt64Array());
    }

    [Fact]
    public void DequantizeLinearAppliesBlockedScales()
    {
        // Blocks of 2 along axis 1: columns 0–1 use the first scale/zero of their row, column 2 the second.
        var model = new OnnxBuilder(21).Input("q", DataType.Int64, 2, 3)
            .Initializer("scale", Tensor.FromArray([0.5f, 2f, 1f, 4f], 2, 2))
            .Initializer("zero", Tensor.FromArray([1L, 0L, 0L, 2L], 2, 2))
            .Node("DequantizeLinear", ["q", "scale", "zero"], ["x"], ("axis", 1L), ("block_size", 2L)).Output("x", DataType.Float, 2, 3).Build();
        var x = model.Call(Tensor.FromArray([3L, 5L, 7L, 1L, 2L, 3L], 2, 3)).ToArray();
        Assert.Equal([1f, 2f, 14f, 1f, 2f, 4f], x);
    }

    [Theory]
    [InlineData("cubic", "half_pixel", 0L, 1.7f)]
    [InlineData("linear", "align_corners", 0L, 0.6f)]
    [InlineData("cubic", "half_pixel", 1L, 0.6f)] // antialiased downscale
    [InlineData("linear", "tf_crop_and_resize", 0L, 1.5f)]
    public void ResizeGradientMatchesFiniteDifferences(string mode, string coordinates, long antialias, float scale)
    {
        var model = new OnnxBuilder(19).Input("x", DataType.Float, 1, 2, 4, 5)
            .Initializer("roi", Tensor.FromArray([0f, 0f, 0.1f, 0.2f, 1f, 1f, 0.9f, 1.1f], 8))
            .Initializer("scales", Tensor.FromArray([1f, 1f, scale, scale], 4))
            .Node("Resize", ["x", "roi", "scales"], ["y"], ("mode", mode), ("coordinate_transformation_mode", coordinates), ("antialias", antialias),
                ("extrapolation_value", 0.5f))
            .Output("y", DataType.Float).Build();
        var x = Tensor.Randn(new Shape(1, 2, 4, 5), seed: 3);
        GradCheck.Assert(inputs => model.Call(inputs[0]), [x]);
    }

    [Fact]
    public void ResizeAlignCornersLinearMatchesTheFormula()
    {
        // 1-D resize 3 → 5 with align_corners: positions 0, 0.5, 1, 1.5, 2.
        var model = new OnnxBuilder(19).Input("x", DataType.Float, 1, 3).Initializer("sizes", Tensor.FromArray([1L, 5L], 2))
            .Node("Resize", ["x", "", "", "sizes"], ["y"], ("mode", "linear"), ("coordinate_transformation_mode", "align_corners")).Output("y").Build();
        Assert.Equal([1f, 2f, 3f, 5f, 7f], model.Call(Tensor.FromArray([1f, 3f, 7f], 1, 3)).ToArray());
    }
}
