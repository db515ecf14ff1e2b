using Lumen.Tensors;

namespace Lumen.NN;

public static partial class Loss
{
    /// <summary>Binary cross-entropy of probabilities p against targets y ∈ [0, 1]:
    /// ℓ = −(y·log p + (1−y)·log(1−p)), each log clamped at −100 as in PyTorch.</summary>
    /// <exception cref="ArgumentException">The shapes differ or a tensor is not Float32.</exception>
    public static Tensor BceLoss(Tensor probabilities, Tensor target, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape(probabilities, target, "BceLoss");
        var floor = Tensor.Scalar(-100f);
        var logP = probabilities.Log().Maximum(floor);
        var logNotP = (1f - probabilities).Log().Maximum(floor);
        return Reduce((target * logP + (1f - target) * logNotP).Neg(), reduction, "BceLoss");
    }

    /// <summary>Binary cross-entropy of logits x against targets y, computed stably:
    /// ℓ = softplus(x) − x·y (= −(y·log σ(x) + (1−y)·log(1−σ(x)))).</summary>
    /// <exception cref="ArgumentException">The shapes differ or a tensor is not Float32.</exception>
    public static Tensor BceWithLogitsLoss(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape(logits, target, "BceWithLogitsLoss");
        return Reduce(logits.Softplus() - logits * target, reduction, "BceWithLogitsLoss");
    }
}
