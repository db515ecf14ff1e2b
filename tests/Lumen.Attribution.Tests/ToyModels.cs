using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

/// <summary>Captum's BasicModel2, the IG paper's model 1: f(x₁, x₂) = ReLU(ReLU(x₁) − 1 − ReLU(x₂)) on [B, 2].</summary>
internal sealed class BasicModel2 : Module
{
    private static readonly Tensor First = Tensor.FromArray([1f, 0f], 2, 1);
    private static readonly Tensor Second = Tensor.FromArray([0f, 1f], 2, 1);

    protected override Tensor Forward(Tensor x)
    {
        var x1 = x.MatMul(First).Relu();   // [B, 1]
        var x2 = x.MatMul(Second).Relu();  // [B, 1]
        return (x1 - 1f - x2).Relu();      // [B, 1]
    }
}

/// <summary>f(x) = x·W + b with W [F, K]: every gradient method has a closed form on it.</summary>
internal sealed class LinearModel(float[] weights, int features, int classes) : Module
{
    public Tensor Weights { get; } = Tensor.FromArray(weights, features, classes);

    protected override Tensor Forward(Tensor x) => x.MatMul(Weights) + 0.25f;
}
