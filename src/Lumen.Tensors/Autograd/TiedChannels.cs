namespace Lumen.Tensors.Autograd;

/// <summary>The output channels of a convolution fused with a clamp in which some pre-activation u lay exactly on a
/// bound (<see cref="Kernels.ClampTies"/>), with u of those channels, [N, channels, OH, OW], computed again: the clamp's
/// backward pass reads its mask there from u, and elsewhere from the clamped output (<see cref="Tensor.Conv2dClamped"/>).</summary>
internal sealed record TiedChannels(int[] Channels, float[] Preactivation);
