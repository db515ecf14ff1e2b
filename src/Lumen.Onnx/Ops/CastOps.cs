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
            if (node.Int("saturate", 1) == 0) throw node.Unsupported("saturate=0");
            return inputs => [ToOnnxType(inputs.Arg(0), to)];
        });
        OnnxOps.Register("CastLike", 15, node => inputs => [To(inputs.Arg(0), inputs.Arg(1).DType)]);
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
                if (x.DType == DType.Float32) { var s = x.AsSpan(); for (int i = 0; i < data.Length; i++) data[i] = FloatToLong(s[i]); }
                else { var s = x.AsBoolSpan(); for (int i = 0; i < data.Length; i++) data[i] = s[i] ? 1 : 0; }
                return OpHelpers.LongTensor(data, x.Shape);
            }
            default:
            {
                var data = new bool[x.Size];
                if (x.DType == DType.Float32) { var s = x.AsSpan(); for (int i = 0; i < data.Length; i++) data[i] = s[i] != 0; }
                else { var s = x.AsInt64Span(); for (int i = 0; i < data.Length; i++) data[i] = s[i] != 0; }
                return OpHelpers.BoolTensor(data, x.Shape);
            }
        }
    }

    /// <summary>Casts to an ONNX element type: to its storage type, then rounds or wraps to the type's range.</summary>
    public static Tensor ToOnnxType(Tensor x, int onnxType)
    {
        var y = To(x, OnnxTensors.StorageOf(onnxType));
        Func<float, float>? roundFloat = onnxType switch
        {
            (int)DataType.Float16 => v => (float)(Half)v,
            (int)DataType.Bfloat16 => RoundToBFloat16,
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
