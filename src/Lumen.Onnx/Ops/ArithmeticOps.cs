using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Broadcasting arithmetic: Add, Sub, Mul, Div, Pow, Max, Min, Sum, Mean, Mod.</summary>
internal static class ArithmeticOps
{
    public static void Register()
    {
        OnnxOps.Register("Add", 7, Binary((a, b) => a.Add(b)));
        OnnxOps.Register("Sub", 7, Binary((a, b) => a.Sub(b)));
        OnnxOps.Register("Mul", 7, Binary((a, b) => a.Mul(b)));
        OnnxOps.Register("Div", 7, Binary((a, b) => a.Div(b)));
        OnnxOps.Register("Pow", 7, Binary(Pow));
        OnnxOps.Register("Max", 6, Variadic((a, b) => a.Maximum(b)));
        OnnxOps.Register("Min", 6, Variadic((a, b) => a.Minimum(b)));
        OnnxOps.Register("Sum", 6, Variadic((a, b) => a.Add(b)));
        OnnxOps.Register("Mean", 6, node => inputs =>
        {
            var sum = Fold(inputs, (a, b) => a.Add(b));
            return [sum.Div(OpHelpers.ScalarLike(sum, inputs.Length))];
        });
        OnnxOps.Register("Mod", 10, node =>
        {
            bool fmod = node.Int("fmod", 0) != 0;
            return inputs => [Mod(inputs.Arg(0), inputs.Arg(1), fmod)];
        });
    }

    private static OnnxConverter Binary(Func<Tensor, Tensor, Tensor> f) => node => inputs => [f(inputs.Arg(0), inputs.Arg(1))];

    private static OnnxConverter Variadic(Func<Tensor, Tensor, Tensor> f) => node => inputs => [Fold(inputs, f)];

    private static Tensor Fold(Tensor?[] inputs, Func<Tensor, Tensor, Tensor> f)
    {
        var acc = inputs.Arg(0);
        for (int i = 1; i < inputs.Length; i++) acc = f(acc, inputs.Arg(i));
        return acc;
    }

    // ONNX Pow allows an integer exponent with a float base (and vice versa); the result has the base's type.
    private static Tensor Pow(Tensor a, Tensor b)
    {
        if (a.DType == DType.Float32 && b.DType != DType.Float32) b = CastOps.To(b, DType.Float32);
        if (a.DType == DType.Int64 && b.DType != DType.Int64)
            return CastOps.To(CastOps.To(a, DType.Float32).Pow(b), DType.Int64);
        return a.Pow(b);
    }

    // Integer Mod follows Python (sign of the divisor) unless fmod; float Mod requires fmod (C fmod, sign of the dividend).
    private static Tensor Mod(Tensor a, Tensor b, bool fmod)
    {
        var shape = Shape.Broadcast(a.Shape, b.Shape, "Mod");
        var x = a.BroadcastTo(shape);
        var y = b.BroadcastTo(shape);
        if (a.DType == DType.Float32)
        {
            var q = OpHelpers.PointwiseConstant(x.Div(y), "Mod", v => fmod ? MathF.Truncate(v) : MathF.Floor(v));
            return x.Sub(q.Mul(y));
        }
        var xs = x.AsInt64Span();
        var ys = y.AsInt64Span();
        var r = new long[xs.Length];
        for (int i = 0; i < r.Length; i++)
        {
            if (ys[i] == 0) throw new DivideByZeroException("Mod: integer division by zero.");
            long m = xs[i] % ys[i];
            if (!fmod && m != 0 && ((m < 0) != (ys[i] < 0))) m += ys[i];
            r[i] = m;
        }
        return OpHelpers.LongTensor(r, shape);
    }
}
