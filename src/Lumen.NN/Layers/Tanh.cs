using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>tanh(x), elementwise.</summary>
public sealed class Tanh : Module, IActivation
{
    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => x.Tanh();
}
