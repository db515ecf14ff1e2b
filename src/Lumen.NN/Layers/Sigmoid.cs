using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>σ(x) = 1/(1 + e^(−x)), elementwise.</summary>
public sealed class Sigmoid : Module, IActivation
{
    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => x.Sigmoid();
}
