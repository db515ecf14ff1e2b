using Lumen.Tensors;

namespace Lumen.NN;

public static partial class Loss
{
    /// <summary>Mean squared error: ℓᵢ = (xᵢ − yᵢ)².</summary>
    /// <exception cref="ArgumentException">The shapes differ or a tensor is not Float32.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape(input, target, "MseLoss");
        var diff = input - target;
        return Reduce(diff * diff, reduction, "MseLoss");
    }
}
