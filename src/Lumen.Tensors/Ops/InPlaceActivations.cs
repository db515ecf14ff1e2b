using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>
/// The in-place form of the activations a convolution can apply as it writes (<see cref="ConvActivation"/>: ReLU,
/// clamps, leaky ReLU), for inference engines that fuse an activation into the layer that produced its input when the
/// activation's parameters are only known later. Not recorded by autograd and internal: the caller guarantees that
/// gradients are off and that no one else holds the storage. Bitwise equal to the allocating ops.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>x ← activation(x), with the same kernel a fused convolution uses (<see cref="ConvEpilogue"/>).</summary>
    internal void ActivateInPlace(ConvActivation activation)
    {
        RequireFloat("ActivateInPlace");
        var data = Floats;
        var epilogue = new ConvEpilogue(null, activation);
        Kernels.Unary.InBlocks(Size, (from, count) => epilogue.Apply(data.AsSpan(from, count), 0));
    }
}
