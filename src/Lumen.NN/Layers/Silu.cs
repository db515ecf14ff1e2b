using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>x·σ(x) (SiLU / swish), elementwise.</summary>
public sealed class Silu : Module, IActivation
{
    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => x.Silu();
}
