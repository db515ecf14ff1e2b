using Lumen.Onnx.Graph;
using Lumen.Onnx.IO;
using Lumen.Tensors;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Ops;

/// <summary>BitCast (opset 26): reinterprets each element's bits as another type of the same width, e.g. the
/// IEEE-754 pattern of a float32 as an int32.</summary>
/// <remarks>The source type is the one the file declares for the input, since Lumen stores every integer type in
/// Int64 and float16/bfloat16 in Float32 (exactly, so their bits are recovered). Float64 inputs are refused:
/// Lumen keeps them as float32 and their original bits are gone. An integer op: no gradient.</remarks>
internal static class BitCastOps
{
    public static void Register() => OnnxOps.Register("BitCast", 26, node =>
    {
        int to = (int)node.Int("to");
        int from = node.InputElementType(0);
        if (from == 0) throw node.Unsupported("input without a declared element type");
        if (from == (int)DataType.Double) throw node.Unsupported("float64 input (Lumen holds float64 as float32, so its bits are not kept)");
        if (Width(from) is not { } width || Width(to) != width)
            throw node.Unsupported($"bit cast from {OnnxTensors.TypeName(from)} to {OnnxTensors.TypeName(to)}");
        return inputs =>
        {
            var x = inputs.Arg(0);
            var bits = new long[x.Size];
            switch (x.DType)
            {
                case DType.Float32: { var s = x.AsReadOnlySpan(); for (int i = 0; i < bits.Length; i++) bits[i] = FloatBits(s[i], from); break; }
                case DType.Int64: { var s = x.AsInt64Span(); for (int i = 0; i < bits.Length; i++) bits[i] = s[i]; break; }
                default: { var s = x.AsBoolSpan(); for (int i = 0; i < bits.Length; i++) bits[i] = s[i] ? 1 : 0; break; }
            }
            long mask = width == 64 ? -1L : (1L << width) - 1;
            for (int i = 0; i < bits.Length; i++) bits[i] &= mask;
            return [FromBits(bits, to, x.Shape)];
        };
    });

    private static int? Width(int type) => type switch
    {
        (int)DataType.Double or (int)DataType.Int64 or (int)DataType.Uint64 => 64,
        (int)DataType.Float or (int)DataType.Int32 or (int)DataType.Uint32 => 32,
        (int)DataType.Float16 or (int)DataType.Bfloat16 or (int)DataType.Int16 or (int)DataType.Uint16 => 16,
        (int)DataType.Int8 or (int)DataType.Uint8 or (int)DataType.Bool => 8,
        _ => null,
    };

    private static long FloatBits(float v, int type) => type switch
    {
        (int)DataType.Float16 => BitConverter.HalfToUInt16Bits((Half)v),
        (int)DataType.Bfloat16 => BitConverter.SingleToUInt32Bits(v) >> 16,
        _ => BitConverter.SingleToUInt32Bits(v),
    };

    private static Tensor FromBits(long[] bits, int type, Shape shape)
    {
        switch (type)
        {
            case (int)DataType.Float:
            case (int)DataType.Double:
            case (int)DataType.Float16:
            case (int)DataType.Bfloat16:
                return OpHelpers.FloatTensor([.. bits.Select(b => type switch
                {
                    (int)DataType.Float => BitConverter.UInt32BitsToSingle((uint)b),
                    (int)DataType.Double => (float)BitConverter.Int64BitsToDouble(b),
                    (int)DataType.Float16 => (float)BitConverter.UInt16BitsToHalf((ushort)b),
                    _ => BitConverter.UInt32BitsToSingle((uint)b << 16),
                })], shape);
            case (int)DataType.Bool:
                return OpHelpers.BoolTensor([.. bits.Select(b => b != 0)], shape);
            default:
                return OpHelpers.LongTensor([.. bits.Select(b => type switch
                {
                    (int)DataType.Int32 => (int)b,
                    (int)DataType.Int16 => (short)b,
                    (int)DataType.Int8 => (sbyte)b,
                    _ => b,
                })], shape);
        }
    }
}
