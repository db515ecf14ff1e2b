using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Comparisons, boolean logic, bitwise integer ops and Where.</summary>
internal static class LogicalOps
{
    public static void Register()
    {
        Binary("Equal", 7, (a, b) => a.Equal(b));
        Binary("Less", 7, (a, b) => a.Less(b));
        Binary("Greater", 7, (a, b) => a.Greater(b));
        Binary("LessOrEqual", 12, (a, b) => a.LessEqual(b));
        Binary("GreaterOrEqual", 12, (a, b) => a.GreaterEqual(b));
        Binary("And", 7, (a, b) => a.And(b));
        Binary("Or", 7, (a, b) => a.Or(b));
        Binary("Xor", 7, (a, b) => a.Xor(b));
        OnnxOps.Register("Not", 1, node => inputs => [inputs.Arg(0).Not()]);
        OnnxOps.Register("Where", 9, node => inputs => [Tensor.Where(inputs.Arg(0), inputs.Arg(1), inputs.Arg(2))]);
        Binary("BitwiseAnd", 18, (a, b) => Bitwise(a, b, "BitwiseAnd", (x, y) => x & y));
        Binary("BitwiseOr", 18, (a, b) => Bitwise(a, b, "BitwiseOr", (x, y) => x | y));
        Binary("BitwiseXor", 18, (a, b) => Bitwise(a, b, "BitwiseXor", (x, y) => x ^ y));
        OnnxOps.Register("BitShift", 11, node =>
        {
            bool left = node.String("direction", "") switch
            {
                "LEFT" => true,
                "RIGHT" => false,
                var other => throw node.Unsupported($"direction '{other}'"),
            };
            return inputs => [Bitwise(inputs.Arg(0), inputs.Arg(1), "BitShift", (x, n) => left ? x << (int)n : (long)((ulong)x >> (int)n))];
        });
        OnnxOps.Register("BitwiseNot", 18, node =>
        {
            // Lumen holds every integer type in Int64: wrap ~x back into the declared type (uint8: 255 − x).
            int declared = node.InputElementType(0);
            return inputs =>
            {
                var not = Bitwise(inputs.Arg(0), OpHelpers.LongTensor([-1], Shape.Scalar), "BitwiseNot", (v, m) => v ^ m);
                return [declared == 0 ? not : CastOps.ToOnnxType(not, declared)];
            };
        });
    }

    private static void Binary(string op, int since, Func<Tensor, Tensor, Tensor> f) =>
        OnnxOps.Register(op, since, node => inputs => [f(inputs.Arg(0), inputs.Arg(1))]);

    private static Tensor Bitwise(Tensor a, Tensor b, string op, Func<long, long, long> f)
    {
        if (a.DType != DType.Int64 || b.DType != DType.Int64)
            throw new ArgumentException($"{op}: expected integer tensors, got {a.DType} {a.Shape} and {b.DType} {b.Shape}.");
        var shape = Shape.Broadcast(a.Shape, b.Shape, op);
        var x = a.BroadcastTo(shape).AsInt64Span();
        var y = b.BroadcastTo(shape).AsInt64Span();
        var data = new long[shape.Size];
        for (int i = 0; i < data.Length; i++) data[i] = f(x[i], y[i]);
        return OpHelpers.LongTensor(data, shape);
    }
}
