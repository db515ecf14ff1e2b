using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Merges axes <paramref name="startAxis"/>…<paramref name="endAxis"/> into one (default: all but the batch axis).</summary>
public sealed class Flatten(int startAxis = 1, int endAxis = -1) : Module, IStructural
{
    /// <summary>First merged axis.</summary>
    public int StartAxis { get; } = startAxis;

    /// <summary>Last merged axis (inclusive).</summary>
    public int EndAxis { get; } = endAxis;

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Flatten(StartAxis, EndAxis);
    }
}
