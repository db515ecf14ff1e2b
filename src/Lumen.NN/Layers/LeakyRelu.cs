using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>x for x &gt; 0, α·x otherwise, elementwise.</summary>
/// <param name="negativeSlope">α (PyTorch default 0.01).</param>
public sealed class LeakyRelu(float negativeSlope = 0.01f) : Module, IRectifier, ISpatiallyLocal
{
    /// <summary>α.</summary>
    public float NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => x.LeakyRelu(NegativeSlope);

    /// <inheritdoc/>
    public SpatialWindow? WindowFor(IReadOnlyList<Shape> inputs) => SpatialWindow.Pointwise(0);
}
