using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>MatMul (NumPy semantics with batch broadcasting), Gemm, Einsum and Det.</summary>
internal static class MatrixOps
{
    public static void Register()
    {
        OnnxOps.Register("MatMul", 1, node => inputs => [inputs.Arg(0).MatMul(inputs.Arg(1))]);
        OnnxOps.Register("Det", 11, node => inputs => [Determinant(inputs.Arg(0))]);
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

    /// <summary>
    /// Det of [..., M, M]: Gaussian elimination with partial pivoting written in tensor ops, det = sign(P)·Π u_kk.
    /// Pivot rows are chosen from the values (a permutation gather per batch entry); the eliminations are
    /// differentiable, so the gradient det·A⁻ᵀ arises by composition. A zero pivot column gives det 0.
    /// </summary>
    internal static Tensor Determinant(Tensor a)
    {
        a.RequireFloat("Det");
        if (a.Rank < 2 || a.Shape[a.Rank - 1] != a.Shape[a.Rank - 2]) throw new ArgumentException($"Det: expected [..., M, M], got {a.Shape}.");
        int m = a.Shape[a.Rank - 1], batch = a.Size / Math.Max(m * m, 1);
        int[] outer = a.Shape.ToArray()[..^2];
        var u = a.Reshape(batch, m, m);
        var sign = new float[batch];
        Array.Fill(sign, 1f);
        var pivots = new Tensor[m];
        for (int k = 0; k < m; k++)
        {
            var column = u.Slice(2, k, k + 1).Slice(1, k, m).Detach().Abs().Reshape(batch, m - k).ArgMax(1).ToInt64Array();
            var order = new long[batch * m * m];
            for (int b = 0; b < batch; b++)
            {
                long p = column[b] + k;
                if (p != k) sign[b] = -sign[b];
                for (int r = 0; r < m; r++)
                {
                    long source = r == k ? p : r == p ? k : r;
                    for (int c = 0; c < m; c++) order[(b * m + r) * m + c] = source;
                }
            }
            u = u.Gather(1, OpHelpers.LongTensor(order, new Shape(batch, m, m)));
            var pivot = u.Slice(1, k, k + 1).Slice(2, k, k + 1); // [B, 1, 1]
            pivots[k] = pivot.Reshape(batch, 1);
            if (k == m - 1) break;
            var safe = Tensor.Where(pivot.Equal(0f), Tensor.Ones(pivot.Shape), pivot);
            var factors = u.Slice(1, k + 1, m).Slice(2, k, k + 1) / safe; // [B, m−k−1, 1]
            var lower = u.Slice(1, k + 1, m) - factors * u.Slice(1, k, k + 1);
            u = Tensor.Concat([u.Slice(1, 0, k + 1), lower], 1);
        }
        var det = m == 0 ? Tensor.Ones(batch) : Tensor.Concat(pivots, 1).Prod(1) * OpHelpers.FloatTensor(sign, new Shape(batch));
        return det.Reshape(outer);
    }
}
