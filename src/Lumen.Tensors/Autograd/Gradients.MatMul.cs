namespace Lumen.Tensors.Autograd;

/// <summary>Backward rule of the matrix product.</summary>
public static partial class Gradients
{
    // C = A·B:  dA = G·Bᵀ,  dB = Aᵀ·G   (summed over broadcast batch dims)
    internal static BackwardRule MatMulRule(Tensor a, Tensor b) => (g, needs) =>
        [
            needs[0] ? Tensor.MatMulCore(g, b, transA: false, transB: true, "MatMul.Backward").SumTo(a.Shape) : null,
            needs[1] ? Tensor.MatMulCore(a, g, transA: true, transB: false, "MatMul.Backward").SumTo(b.Shape) : null,
        ];
}
