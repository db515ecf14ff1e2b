namespace Lumen.Tensors;

public static partial class Functional
{
    /// <summary>Root-mean-square normalisation over the last axis (<see href="https://arxiv.org/abs/1910.07467">Zhang &amp; Sennrich</see>).</summary>
    /// <remarks>y = x / √(mean(x²) + ε) · weight, weight of shape [D] for x [..., D].</remarks>
    public static Tensor RmsNorm(Tensor x, Tensor? weight = null, float eps = 1e-6f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 1) throw new ArgumentException($"RmsNorm: input {x.Shape} must have at least one dimension.");
        CheckParameter("RmsNorm", "weight", weight, new Shape(x.Shape.Dims[^1]), x.Shape);
        var normalized = x * ((x * x).Mean(-1, keepDims: true) + eps).Rsqrt();  // [..., D]
        return Affine(normalized, weight, null);
    }
}
