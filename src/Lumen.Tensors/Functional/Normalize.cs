namespace Lumen.Tensors;

public static partial class Functional
{
    /// <summary>Scales x to unit L2 norm along <paramref name="axis"/>.</summary>
    /// <remarks>y = x / max(‖x‖₂, ε), the norm taken along the axis; computed as x·(max(Σx², ε²))^(−½) so that an
    /// all-zero slice gets a zero gradient instead of NaN.</remarks>
    public static Tensor Normalize(Tensor x, int axis = -1, float eps = 1e-12f)
    {
        ArgumentNullException.ThrowIfNull(x);
        var squaredNorm = (x * x).Sum(axis, keepDims: true);                     // [..., 1, ...]
        return x * squaredNorm.Maximum(Tensor.Scalar(eps * eps)).Rsqrt();
    }
}
