using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>max(x, 0), elementwise.</summary>
public sealed class Relu : Module, IRectifier, ISpatiallyLocal
{
    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => x.Relu();

    /// <inheritdoc/>
    public SpatialWindow? WindowFor(IReadOnlyList<Shape> inputs) => SpatialWindow.Pointwise(0);
}
