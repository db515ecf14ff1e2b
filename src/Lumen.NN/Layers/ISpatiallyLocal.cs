using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>
/// Marks a module whose output at each spatial position (the last two axes of [N, C, H, W] tensors) reads only a
/// window of its spatial inputs around that position: convolutions, pooling, and pointwise ops (activations, batch
/// norm, sums of same-sized inputs, channel concatenation). Incremental occlusion uses it to recompute only the
/// part of each activation that a perturbed input region can reach.
/// </summary>
/// <remarks>
/// Contract: output row i reads input rows [i·s − p, i·s − p + k) (k the dilated kernel extent, s the stride, p the
/// top padding), and likewise for columns, where rows outside the input read <see cref="SpatialWindow.PadValue"/>;
/// and running the module on a crop of its spatial inputs (rows outside the input filled with the pad value) whose
/// first row is a multiple of the stride yields, at every output whose window lies inside the crop, exactly the
/// value of the full-size call. This holds whenever the padding does not depend on the input size. Inputs not
/// listed in <see cref="SpatialWindow.SpatialInputs"/> are passed unchanged (weights, biases, per-channel constants).
/// </remarks>
public interface ISpatiallyLocal
{
    /// <summary>The window of this module for a call with inputs of these shapes, or null when the call is not
    /// spatially local (for example a concatenation along a spatial axis, or size-dependent "same" padding).</summary>
    SpatialWindow? WindowFor(IReadOnlyList<Shape> inputs);
}
