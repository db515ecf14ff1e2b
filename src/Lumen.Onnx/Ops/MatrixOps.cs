using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>MatMul (NumPy semantics with batch broadcasting), Gemm and Einsum.</summary>
internal static class MatrixOps
{
    public static void Register()
    {
        OnnxOps.Register("MatMul", 1, node => inputs => [inputs.Arg(0).MatMul(inputs.Arg(1))]);
        OnnxOps.Register("Gemm", 7, node =>
        {
            float alpha = node.Float("alpha", 1f), beta = node.Float("beta", 1f);
            bool transA = node.Int("transA", 0) != 0, transB = node.Int("transB", 0) != 0;
            return inputs =>
            {
                var a = inputs.Arg(0);
                var b = inputs.Arg(1);
                if (transA) a = a.Permute(1, 0);
                if (transB) b = b.Permute(1, 0);
                var y = a.MatMul(b); // [M, N]
                if (alpha != 1f) y = y * alpha;
                if (inputs.Optional(2) is { } c && beta != 0f) y = y + (beta == 1f ? c : c * beta);
                return [y];
            };
        });
        OnnxOps.Register("Einsum", 12, node =>
        {
            var equation = Einsum.Parse(node.String("equation", ""), node.Inputs.Count);
            return inputs => [equation.Evaluate([.. inputs.Select((t, i) => inputs.Arg(i))])];
        });
    }
}
