using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>softmax(x)ᵢ = e^(xᵢ)/Σⱼ e^(xⱼ) along <paramref name="axis"/>.</summary>
/// <param name="axis">The normalised axis (default the last).</param>
public sealed class Softmax(int axis = -1) : Module, ISoftmax
{
    /// <summary>The normalised axis.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => x.Softmax(Axis);
}
