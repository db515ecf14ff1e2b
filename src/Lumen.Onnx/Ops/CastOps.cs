using Lumen.Onnx.Graph;
using Lumen.Onnx.IO;
using Lumen.Tensors;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Ops;

/// <summary>Cast and CastLike, including the narrowing that ONNX element types imply (fp16 rounding, int8 wrap-around).</summary>
internal static class CastOps
{
    public static void Register()
    {
        OnnxOps.Register("Cast", 6, node =>
        {
            int to = (int)node.Int("to");
            if (!OnnxTensors.IsSupported(to)) throw node.Unsupported($"target type {OnnxTensors.TypeName(to)}");
            bool saturate = node.Int("saturate", 1) != 0;
            string roundMode = RoundMode(node);
            return inputs => [ToOnnxType(inputs.Arg(0), to, saturate, roundMode)];
        });
        OnnxOps.Register("CastLike", 15, node =>
        {
            // The target is the declared element type of input 1 (Lumen stores e.g. float8 widened to Float32).
            int to = node.InputElementType(1);
            if (to != 0 && !OnnxTensors.IsSupported(to)) throw node.Unsupported($"target type {OnnxTensors.TypeName(to)}");
            bool saturate = node.Int("saturate", 1) != 0;
            string roundMode = RoundMode(node);
            return inputs => [to == 0 ? To(inputs.Arg(0), inputs.Arg(1).DType) : ToOnnxType(inputs.Arg(0), to, saturate, roundMode)];
        });
    }

    private static string RoundMode(OnnxNode node)
    {
        string mode = node.String("round_mode", "up");
        return mode is "up" or "down" or "nearest" ? mode : throw node.Unsupported($"round_mode '{mode}'");
    }

    /// <summary>Converts to a Lumen storage type; Float32 → Float32 keeps the gradient.</summary>
    public static Tensor To(Tensor x, DType target)
    {
        if (x.DType == target) return x;
        switch (target)
        {
            case DType.Float32:
            {
                var data = new float[x.Size];
                if (x.DType == DType.Int64) { var s = x.AsInt64Span(); for (int i = 0; i < data.Length; i++) data[i] = s[i]; }
                else { var s = x.AsBoolSpan(); for (int i = 0; i < data.Length; i++) data[i] = s[i] ? 1f : 0f; }
                return OpHelpers.FloatTensor(data, x.Shape);
            }
            case DType.Int64:
            {
                var data = new long[x.Size];
                if (x.DType == DType.Float32) { var s = x.AsReadOnlySpan(); for (int i = 0; i < data.Length; i++) data[i] = FloatToLong(s[i]); }
                else { var s = x.AsBoolSpan(); for (int i = 0; i < data.Length; i++) data[i] = s[i] ? 1 : 0; }
                return OpHelpers.LongTensor(data, x.Shape);
            }
            default:
            {
                var data = new bool[x.Size];
                if (x.DType == DType.Float32) { var s = x.AsReadOnlySpan(); for (int i = 0; i < data.Length; i++) data[i] = s[i] != 0; }
                else { var s = x.AsInt64Span(); for (int i = 0; i < data.Length; i++) data[i] = s[i] != 0; }
                return OpHelpers.BoolTensor(data, x.Shape);
            }
        }
    }

    /// <summary>Casts to an ONNX element type: to its storage type, then rounds or wraps to the type's range.</summary>
    /// <param name="x">The value.</param>
    /// <param name="onnxType">The ONNX element type.</param>
    /// <param name="saturate">For float8/float4 targets: clamp out-of-range values to the largest finite value.</param>
    /// <param name="roundMode">For E8M0: "up", "down" or "nearest".</param>
    public static Tensor ToOnnxType(Tensor x, int onnxType, bool saturate = true, string roundMode = "up")
    {
        var y = To(x, OnnxTensors.StorageOf(onnxType));
        Func<float, float>? roundFloat = onnxType switch
        {
            (int)DataType.Float16 => v => (float)(Half)v,
            (int)DataType.Bfloat16 => RoundToBFloat16,
            (int)DataType.Float8E8M0 => v => NarrowTypes.RoundToE8M0(v, roundMode, saturate),
            _ when NarrowTypes.IsFloat(onnxType) => v => NarrowTypes.RoundFloat(v, onnxType, saturate),
            _ => null,
        };
        if (roundFloat is not null)
            return OpHelpers.Pointwise(y, "Cast", roundFloat, t => t.OnesLike());
        Func<long, long>? wrap = onnxType switch
        {
            (int)DataType.Int8 => v => (sbyte)v,
            (int)DataType.Uint8 => v => (byte)v,
            (int)DataType.Int16 => v => (short)v,
            (int)DataType.Uint16 => v => (ushort)v,
            (int)DataType.Int32 => v => (int)v,
            (int)DataType.Uint32 => v => (uint)v,
            _ when NarrowTypes.Handles(onnxType) => v => NarrowTypes.WrapInteger(v, onnxType),
            _ => null,
        };
        if (wrap is null || y.DType != DType.Int64) return y;
        var s = y.AsInt64Span();
        var data = new long[s.Length];
        for (int i = 0; i < data.Length; i++) data[i] = wrap(s[i]);
        return OpHelpers.LongTensor(data, y.Shape);
    }

    private static long FloatToLong(float v) =>
        float.IsNaN(v) ? long.MinValue : v >= 9.2233720E18f ? long.MaxValue : v <= -9.2233720E18f ? long.MinValue : (long)v;

    // Round to nearest even on the upper 16 bits, as numpy/ONNX do for bfloat16.
    private static float RoundToBFloat16(float v)
    {
        if (float.IsNaN(v)) return v;
        uint bits = BitConverter.SingleToUInt32Bits(v);
        uint rounded = bits + 0x7FFF + ((bits >> 16) & 1);
        return BitConverter.UInt32BitsToSingle(rounded & 0xFFFF0000);
    }
}
