using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Elementwise math: Exp, Log, Sqrt, trigonometric and hyperbolic functions, rounding, Abs, Sign, Neg,
/// Reciprocal, Erf, IsNaN, IsInf. Functions the engine lacks are composites with an explicit derivative.</summary>
internal static class UnaryOps
{
    public static void Register()
    {
        Unary("Exp", x => x.Exp());
        Unary("Log", x => x.Log());
        Unary("Sqrt", x => x.Sqrt());
        Unary("Reciprocal", x => x.Reciprocal());
        Unary("Neg", x => x.Neg());
        Unary("Abs", x => x.DType == DType.Int64 ? IntMap(x, Math.Abs) : x.Abs());
        Unary("Sign", x => x.DType == DType.Int64 ? IntMap(x, v => Math.Sign(v)) : x.Sign());
        Unary("Erf", x => x.Erf());
        Unary("Sin", x => x.Sin());
        Unary("Cos", x => x.Cos());
        Unary("Floor", x => x.Floor());
        Unary("Ceil", x => x.Ceil());
        Unary("Round", x => OpHelpers.PointwiseConstant(x, "Round", v => MathF.Round(v, MidpointRounding.ToEven)));
        Unary("Tan", x => OpHelpers.Pointwise(x, "Tan", MathF.Tan, t => t.Cos().Pow(-2f)));
        Unary("Asin", x => OpHelpers.Pointwise(x, "Asin", MathF.Asin, t => (1f - t * t).Pow(-0.5f)));
        Unary("Acos", x => OpHelpers.Pointwise(x, "Acos", MathF.Acos, t => -(1f - t * t).Pow(-0.5f)));
        Unary("Atan", x => OpHelpers.Pointwise(x, "Atan", MathF.Atan, t => (1f + t * t).Reciprocal()));
        Unary("Sinh", x => OpHelpers.Pointwise(x, "Sinh", MathF.Sinh, t => OpHelpers.Pointwise(t, "Cosh", MathF.Cosh, u => u.ZerosLike())));
        Unary("Cosh", x => OpHelpers.Pointwise(x, "Cosh", MathF.Cosh, t => OpHelpers.Pointwise(t, "Sinh", MathF.Sinh, u => u.ZerosLike())));
        Unary("Asinh", x => OpHelpers.Pointwise(x, "Asinh", MathF.Asinh, t => (t * t + 1f).Pow(-0.5f)));
        Unary("Acosh", x => OpHelpers.Pointwise(x, "Acosh", MathF.Acosh, t => (t * t - 1f).Pow(-0.5f)));
        Unary("Atanh", x => OpHelpers.Pointwise(x, "Atanh", MathF.Atanh, t => (1f - t * t).Reciprocal()));
        OnnxOps.Register("IsNaN", 9, node => inputs => [Predicate(inputs.Arg(0), float.IsNaN)]);
        OnnxOps.Register("IsInf", 10, node =>
        {
            bool positive = node.Int("detect_positive", 1) != 0, negative = node.Int("detect_negative", 1) != 0;
            return inputs => [Predicate(inputs.Arg(0), v => (positive && float.IsPositiveInfinity(v)) || (negative && float.IsNegativeInfinity(v)))];
        });
    }

    private static void Unary(string op, Func<Tensor, Tensor> f) => OnnxOps.Register(op, 6, node => inputs => [f(inputs.Arg(0))]);

    private static Tensor IntMap(Tensor x, Func<long, long> f)
    {
        var s = x.AsInt64Span();
        var data = new long[s.Length];
        for (int i = 0; i < data.Length; i++) data[i] = f(s[i]);
        return OpHelpers.LongTensor(data, x.Shape);
    }

    private static Tensor Predicate(Tensor x, Func<float, bool> f)
    {
        x.RequireFloat("IsNaN/IsInf");
        var s = x.AsReadOnlySpan();
        var data = new bool[s.Length];
        for (int i = 0; i < data.Length; i++) data[i] = f(s[i]);
        return OpHelpers.BoolTensor(data, x.Shape);
    }
}
