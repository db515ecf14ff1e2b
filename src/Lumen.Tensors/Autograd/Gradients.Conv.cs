using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Autograd;

/// <summary>Backward rules of Conv2d and ConvTranspose2d. Each transposes the other, so input gradients are
/// themselves recorded ops (higher-order gradients work); weight gradients come from a dedicated kernel.</summary>
public static partial class Gradients
{
    // y = conv(x, w) + b:  dx = convᵀ(g, w),  dw = Σ g ⊗ im2col(x),  db = Σ_{n,h,w} g
    internal static BackwardRule Conv2dRule(Tensor x, Tensor w, ConvGeometry geometry) => (g, needs) =>
        [
            needs[0] ? (GradMode.IsEnabled ? Tensor.ConvTranspose2dCore(g, w, null, geometry) : Fresh(ConvInputGradient(g, w, geometry))) : null,
            needs[1] ? Fresh(ConvWeightGradient(g, x, w.Shape, geometry)) : null,
            needs.Length > 2 && needs[2] ? g.Sum([0, 2, 3]) : null,
        ];

    // y = act(conv(x, w) + b), act = ReLU (slope 0) or leaky ReLU (slope α > 0): the activation's rule with y in place of
    // its input u (y > 0 ⟺ u > 0, so the masks are the same), then the convolution's rule on the masked gradient
    internal static BackwardRule Conv2dRectifiedRule(Tensor x, Tensor w, ConvGeometry geometry, Tensor y, float slope)
    {
        var activation = slope == 0f ? ReluRule(y) : LeakyReluRule(y, slope);
        var convolution = Conv2dRule(x, w, geometry);
        return (g, needs) => convolution(activation(g, [true])[0]!, needs);
    }

    // y = convᵀ(x, w) + b, the adjoint of u ↦ conv(u, w):  dx = conv(g, w),  dw = Σ x ⊗ im2col(g),  db = Σ_{n,h,w} g
    internal static BackwardRule ConvTranspose2dRule(Tensor x, Tensor w, ConvGeometry geometry) => (g, needs) =>
        [
            needs[0] ? Fresh(Tensor.Conv2dCore(g, w, null, geometry)) : null,
            needs[1] ? Fresh(ConvWeightGradient(x, g, w.Shape, geometry)) : null,
            needs.Length > 2 && needs[2] ? g.Sum([0, 2, 3]) : null,
        ];

    // dL/dx of y = conv(x, w) given dL/dy = outputGrad, unrecorded, into storage the backward pass may reuse
    // (ConvTranspose2dCore computes the same values and records them, for create-graph passes).
    private static Tensor ConvInputGradient(Tensor outputGrad, Tensor w, ConvGeometry geometry)
    {
        var dx = GradientStorage.Rent(geometry.Batch * geometry.InChannels * geometry.InPlane, Conv2dKernel.OverwritesInputGradient(geometry));
        Conv2dKernel.BackwardInput(outputGrad.Floats, w.Floats, dx, geometry);
        return new Tensor(new Shape(geometry.Batch, geometry.InChannels, geometry.InHeight, geometry.InWidth), dx);
    }

    // dL/dw of y = conv(input, w) given dL/dy = outputGrad (not itself recorded: no second-order weight gradients).
    private static Tensor ConvWeightGradient(Tensor outputGrad, Tensor input, Shape weightShape, ConvGeometry geometry)
    {
        var dw = GradientStorage.Rent(weightShape.Size, overwrite: true);
        Conv2dKernel.BackwardWeight(outputGrad.Floats, input.Floats, dw, geometry);
        return new Tensor(weightShape, dw);
    }
}
