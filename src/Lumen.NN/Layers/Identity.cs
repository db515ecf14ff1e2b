using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Returns its input unchanged (a placeholder that can still carry hooks).</summary>
public sealed class Identity : Module, IStructural
{
    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => x;
}
