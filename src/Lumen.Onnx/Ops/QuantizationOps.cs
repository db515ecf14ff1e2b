using Lumen.Onnx.Graph;
using Lumen.Onnx.IO;
using Lumen.Tensors;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Ops;

/// <summary>
/// Linear quantization: QuantizeLinear, DequantizeLinear (per-tensor, per-axis and blocked scales; integer, float8
/// and float4 quantized types), DynamicQuantizeLinear, and the integer kernels MatMulInteger, ConvInteger,
/// QLinearMatMul and QLinearConv.
/// </summary>
/// <remarks>
/// Quantize: q = saturate(RNE(x / scale) + zero_point) into the quantized type's range (float8/float4 targets round
/// to that format instead). Dequantize: x = (q − zero_point)·scale. The integer kernels accumulate
/// (a − a_zero)·(b − b_zero) exactly and requantize with a_scale·b_scale / y_scale. Quantized values are integers
/// (no gradient); DequantizeLinear's output is a composite of tensor ops of its input, so it is differentiable
/// where its input is float (float8). See the ONNX operator specifications and Jacob et al., "Quantization and
/// Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference", CVPR 2018.
/// </remarks>
internal static class QuantizationOps
{
    public static void Register()
    {
        OnnxOps.Register("QuantizeLinear", 10, node =>
        {
            var layout = Layout.Of(node);
            bool saturate = node.Int("saturate", 1) != 0;
            int target = node.InputElementType(2) is var z and not 0 ? z : (int)node.Int("output_dtype", (int)DataType.Uint8);
            if (target == 0) target = (int)DataType.Uint8;
            if (!OnnxTensors.IsSupported(target) || target is (int)DataType.Float or (int)DataType.Float16 or (int)DataType.Bfloat16 or (int)DataType.Double or (int)DataType.Bool)
                throw node.Unsupported($"quantized type {OnnxTensors.TypeName(target)}");
            return inputs => [Quantize(inputs.Arg(0), inputs.Arg(1), inputs.Optional(2), layout, target, saturate)];
        });
        OnnxOps.Register("DequantizeLinear", 10, node =>
        {
            var layout = Layout.Of(node);
            int output = (int)node.Int("output_dtype", 0) is var d and not 0 ? d : node.InputElementType(1);
            return inputs => [Dequantize(inputs.Arg(0), inputs.Arg(1), inputs.Optional(2), layout, output)];
        });
        OnnxOps.Register("DynamicQuantizeLinear", 11, node => inputs => DynamicQuantize(inputs.Arg(0)));
        OnnxOps.Register("MatMulInteger", 10, node => inputs =>
        {
            var a = Centered(inputs.Arg(0), inputs.Optional(2), axis: -2);
            var b = Centered(inputs.Arg(1), inputs.Optional(3), axis: -1);
            return [CastOps.To(Exact(a.MatMul(b), "MatMulInteger"), DType.Int64)];
        });
        OnnxOps.Register("ConvInteger", 10, node =>
        {
            var attributes = new ConvAttributes(node);
            int groups = (int)node.Int("group", 1);
            return inputs =>
            {
                var x = Centered(inputs.Arg(0), inputs.Optional(2), axis: 1);
                var w = Centered(inputs.Arg(1), inputs.Optional(3), axis: 0);
                return [CastOps.To(Exact(ConvolutionOps.Conv(attributes, groups, x, w, null), "ConvInteger"), DType.Int64)];
            };
        });
        OnnxOps.Register("QLinearMatMul", 10, node =>
        {
            int target = QuantizedOutputType(node, 7);
            return inputs =>
            {
                var a = Centered(inputs.Arg(0), inputs.Arg(2), axis: -2);
                var b = Centered(inputs.Arg(3), inputs.Arg(5), axis: -1);
                var accumulator = Exact(a.MatMul(b), "QLinearMatMul");
                return [Requantize(accumulator, inputs.Arg(1), inputs.Arg(4), inputs.Arg(6), inputs.Arg(7), target, channelAxis: -1)];
            };
        });
        OnnxOps.Register("QLinearConv", 10, node =>
        {
            var attributes = new ConvAttributes(node);
            int groups = (int)node.Int("group", 1);
            int target = QuantizedOutputType(node, 7);
            return inputs =>
            {
                var x = Centered(inputs.Arg(0), inputs.Arg(2), axis: 1);
                var w = Centered(inputs.Arg(3), inputs.Arg(5), axis: 0);
                var bias = inputs.Optional(8) is { } b ? CastOps.To(b, DType.Float32) : null;
                var accumulator = Exact(ConvolutionOps.Conv(attributes, groups, x, w, bias), "QLinearConv");
                return [Requantize(accumulator, inputs.Arg(1), inputs.Arg(4), inputs.Arg(6), inputs.Arg(7), target, channelAxis: 1)];
            };
        });
    }

    /// <summary>How a scale/zero-point tensor maps onto the data: per tensor, per axis, or in blocks along an axis.</summary>
    private sealed record Layout(long Axis, int BlockSize)
    {
        public static Layout Of(OnnxNode node)
        {
            long blockSize = node.Int("block_size", 0);
            if (blockSize < 0) throw node.Error($"block_size must be non-negative, got {blockSize}.");
            long precision = node.Int("precision", 0);
            if (precision is not (0 or (int)DataType.Float)) throw node.Unsupported($"precision {OnnxTensors.TypeName((int)precision)}");
            return new(node.Int("axis", 1), (int)blockSize);
        }

        /// <summary>For each element of a tensor of <paramref name="shape"/>, the index of its scale in <paramref name="scale"/>.</summary>
        public int[] ParameterIndex(Shape shape, Shape scale, string op)
        {
            var index = new int[shape.Size];
            if (scale.Size == 1) return index;
            int axis = OpHelpers.Axis(Axis, shape.Rank, op);
            int dim = shape[axis], inner = 1;
            for (int d = axis + 1; d < shape.Rank; d++) inner *= shape[d];
            int block = BlockSize;
            if (block == 0)
            {
                if (scale.Rank != 1 || scale[0] != dim)
                    throw new ArgumentException($"{op}: a per-axis scale must have shape [{dim}] (axis {axis} of {shape}), got {scale}.");
                for (int i = 0; i < index.Length; i++) index[i] = i / inner % dim;
                return index;
            }
            int scaleDim = scale.Rank == shape.Rank ? scale[axis] : throw new ArgumentException($"{op}: a blocked scale must have the rank of {shape}, got {scale}.");
            if (scaleDim != (dim + block - 1) / block)
                throw new ArgumentException($"{op}: blocks of {block} along axis {axis} of {shape} need {(dim + block - 1) / block} scales, got {scale}.");
            for (int i = 0; i < index.Length; i++)
            {
                int outer = i / (dim * inner), c = i / inner % dim, rest = i % inner;
                index[i] = (outer * scaleDim + c / block) * inner + rest;
            }
            return index;
        }
    }

    private static Tensor Quantize(Tensor x, Tensor scale, Tensor? zeroPoint, Layout layout, int target, bool saturate)
    {
        var values = CastOps.To(x, DType.Float32).AsReadOnlySpan();
        var scales = CastOps.To(scale, DType.Float32).AsReadOnlySpan();
        var zeros = zeroPoint is null ? null : CastOps.To(zeroPoint, DType.Float32).ToArray();
        var index = layout.ParameterIndex(x.Shape, scale.Shape, "QuantizeLinear");
        if (NarrowTypes.IsFloat(target))
        {
            var q = new float[values.Length];
            for (int i = 0; i < q.Length; i++)
                q[i] = NarrowTypes.RoundFloat(values[i] / scales[index[i]] + (zeros?[index[i]] ?? 0f), target, saturate);
            return OpHelpers.FloatTensor(q, x.Shape);
        }
        var (min, max) = IntegerRange(target);
        var result = new long[values.Length];
        for (int i = 0; i < result.Length; i++)
        {
            double rounded = Math.Round(values[i] / scales[index[i]], MidpointRounding.ToEven) + (zeros?[index[i]] ?? 0f);
            result[i] = (long)Math.Clamp(rounded, min, max);
        }
        return OpHelpers.LongTensor(result, x.Shape);
    }

    private static Tensor Dequantize(Tensor q, Tensor scale, Tensor? zeroPoint, Layout layout, int outputType)
    {
        var index = layout.ParameterIndex(q.Shape, scale.Shape, "DequantizeLinear");
        var scales = CastOps.To(scale, DType.Float32).AsReadOnlySpan();
        var zeros = zeroPoint is null ? null : CastOps.To(zeroPoint, DType.Float32).ToArray();
        var expandedScale = new float[index.Length];
        var expandedZero = new float[index.Length];
        for (int i = 0; i < index.Length; i++)
        {
            expandedScale[i] = scales[index[i]];
            expandedZero[i] = zeros?[index[i]] ?? 0f;
        }
        var y = (CastOps.To(q, DType.Float32) - OpHelpers.FloatTensor(expandedZero, q.Shape)) * OpHelpers.FloatTensor(expandedScale, q.Shape);
        return outputType is (int)DataType.Float16 or (int)DataType.Bfloat16 ? CastOps.ToOnnxType(y, outputType) : y;
    }

    private static Tensor[] DynamicQuantize(Tensor x)
    {
        var values = x.AsReadOnlySpan();
        float min = 0f, max = 0f;
        foreach (var v in values) { min = MathF.Min(min, v); max = MathF.Max(max, v); }
        float scale = (max - min) / 255f;
        float zero = scale == 0f ? 0f : (float)Math.Clamp(Math.Round(0f - min / scale, MidpointRounding.ToEven), 0, 255);
        var q = new long[values.Length];
        for (int i = 0; i < q.Length; i++)
            q[i] = scale == 0f ? (long)zero : (long)Math.Clamp(Math.Round(values[i] / scale, MidpointRounding.ToEven) + zero, 0, 255);
        return [OpHelpers.LongTensor(q, x.Shape), Tensor.Scalar(scale), OpHelpers.LongTensor([(long)zero], Shape.Scalar)];
    }

    // q − zero_point as Float32; a 1-D zero point applies along `axis` (rows of a matrix, output channels of a
    // convolution weight, columns of a right-hand matrix).
    private static Tensor Centered(Tensor q, Tensor? zeroPoint, int axis)
    {
        var x = CastOps.To(q, DType.Float32);
        if (zeroPoint is null) return x;
        var z = CastOps.To(zeroPoint, DType.Float32);
        if (z.Size == 1) return x - z.Reshape();
        var dims = Enumerable.Repeat(1, x.Rank).ToArray();
        dims[axis < 0 ? x.Rank + axis : axis] = z.Size;
        return x - z.Reshape(dims);
    }

    // Integer accumulations run in Float32, exact while every partial sum stays below 2^24.
    private static Tensor Exact(Tensor accumulator, string op)
    {
        foreach (var v in accumulator.AsReadOnlySpan())
            if (MathF.Abs(v) >= 1 << 24) throw new ArgumentException($"{op}: an accumulator reached {v}, beyond the 2^24 that Lumen's Float32 integer path keeps exact.");
        return accumulator;
    }

    private static Tensor Requantize(Tensor accumulator, Tensor aScale, Tensor bScale, Tensor yScale, Tensor yZero, int target, int channelAxis)
    {
        var scale = CastOps.To(aScale, DType.Float32) * CastOps.To(bScale, DType.Float32);
        if (scale.Size > 1)
        {
            var dims = Enumerable.Repeat(1, accumulator.Rank).ToArray();
            dims[channelAxis < 0 ? accumulator.Rank + channelAxis : channelAxis] = scale.Size;
            scale = scale.Reshape(dims);
        }
        else scale = scale.Reshape();
        var real = accumulator * scale;
        return Quantize(real, yScale, yZero, new Layout(1, 0), target, saturate: true);
    }

    private static int QuantizedOutputType(OnnxNode node, int zeroPointInput) =>
        node.InputElementType(zeroPointInput) is var t and not 0 ? t : (int)DataType.Uint8;

    private static (double Min, double Max) IntegerRange(int type) => type switch
    {
        (int)DataType.Uint8 => (0, 255),
        (int)DataType.Int8 => (-128, 127),
        (int)DataType.Uint16 => (0, 65535),
        (int)DataType.Int16 => (-32768, 32767),
        (int)DataType.Int32 => (int.MinValue, int.MaxValue),
        (int)DataType.Uint32 => (0, uint.MaxValue),
        _ when NarrowTypes.Handles(type) => (NarrowTypes.ClampInteger(long.MinValue, type), NarrowTypes.ClampInteger(long.MaxValue, type)),
        _ => (long.MinValue, long.MaxValue),
    };
}
