namespace Lumen.Tensors;

public static partial class Functional
{
    /// <summary>Instance normalisation of x [N, C, …]: each (sample, channel) standardised over its spatial
    /// positions (<see href="https://arxiv.org/abs/1607.08022">Ulyanov et al.</see>); group norm with one channel per group.</summary>
    /// <remarks>y = (x − E_hw[x]) / √(Var_hw[x] + ε) · weight_c + bias_c.</remarks>
    public static Tensor InstanceNorm(Tensor x, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 3) throw new ArgumentException($"InstanceNorm: input {x.Shape} must be [N, C, spatial…] (rank ≥ 3).");
        return GroupNorm(x, x.Shape.Dims[1], weight, bias, eps);
    }
}
