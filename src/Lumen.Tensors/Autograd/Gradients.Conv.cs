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
    internal static BackwardRule Conv2dRectifiedRule(Tensor x, Tensor w, ConvGeometry geometry, Tensor y, float slope) =>
        slope == 0f
            ? MaskThenConv2d(() => ActivationMask.Positive(y.Floats, geometry.OutChannels, geometry.OutPlane), ReluRule(y), x, w, geometry)
            : ActivationThenConv2d(LeakyReluRule(y, slope), x, w, geometry);

    // y = clamp(u, lo, hi), u = conv(x, w) + b. Where no u equalled lo or hi, lo ≤ u ≤ hi ⟺ lo < y < hi ⟺ lo⁺ ≤ y ≤ hi⁻
    // with lo⁺, hi⁻ the floats next to the bounds inside the interval (NaN y: no interval holds it), so the clamp's rule
    // on y with the bounds (lo⁺, hi⁻) gives the mask of the rule on u; in the tied channels the mask comes from their u
    // (ActivationMask). Then the convolution's rule.
    internal static BackwardRule Conv2dClampedRule(Tensor x, Tensor w, ConvGeometry geometry, Tensor y, float lo, float hi, TiedChannels? tied)
    {
        ActivationMask Mask() => ActivationMask.Clamp(y.Floats, geometry.OutChannels, geometry.OutPlane, lo, hi, tied?.Channels, tied?.Preactivation);
        if (tied is null) return MaskThenConv2d(Mask, ClampRule(y, MathF.BitIncrement(lo), MathF.BitDecrement(hi)), x, w, geometry);
        BackwardRule clamp = (g, needs) =>
        {
            if (GradMode.IsEnabled)                                                          // differentiable in g (create-graph)
            {
                var inside = new float[y.Size];
                Mask().Apply(Tensor.Ones(y.Shape).Floats, inside);
                return [Tensor.Where(new Tensor(y.Shape, inside).Greater(0f), g, Tensor.Scalar(0f))];
            }
            return [MaskedBy(Mask(), g)];
        };
        return MaskThenConv2d(Mask, clamp, x, w, geometry);
    }

    // d = mask ⊙ g, in place when g is free, into storage the pass may reuse
    private static Tensor MaskedBy(ActivationMask mask, Tensor g)
    {
        var destination = IsFree(g) ? g.Floats : GradientStorage.Rent(g.Size, overwrite: true);
        mask.Apply(g.Floats, destination);
        return Fresh(ReferenceEquals(destination, g.Floats) ? g : new Tensor(g.Shape, destination));
    }

    // the rule of act(conv(x, w) + b) from the activation's rule (taking the output gradient) and the convolution's
    private static BackwardRule ActivationThenConv2d(BackwardRule activation, Tensor x, Tensor w, ConvGeometry geometry)
    {
        var convolution = Conv2dRule(x, w, geometry);
        return (g, needs) => convolution(activation(g, [true])[0]!, needs);
    }

    // As ActivationThenConv2d, but when only the input gradient is wanted (attribution: no weight or bias gradient), no
    // graph is recorded and the input-gradient kernel can apply the activation's mask as it reads g
    // (Conv2dKernel.FusesMask), it does: no pass over g and y that writes a masked copy. Bitwise the same gradient.
    private static BackwardRule MaskThenConv2d(Func<ActivationMask> mask, BackwardRule activation, Tensor x, Tensor w, ConvGeometry geometry)
    {
        var unfused = ActivationThenConv2d(activation, x, w, geometry);
        return (g, needs) =>
        {
            bool onlyInput = needs[0] && !needs[1] && !(needs.Length > 2 && needs[2]);
            if (!onlyInput || GradMode.IsEnabled || !Conv2dKernel.FusesMask(geometry)) return unfused(g, needs);
            var dx = Fresh(ConvInputGradient(g, w, geometry, mask()));
            return needs.Length > 2 ? [dx, null, null] : [dx, null];
        };
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
    // With a mask, for output gradient mask ⊙ outputGrad (Conv2dKernel.FusesMask).
    private static Tensor ConvInputGradient(Tensor outputGrad, Tensor w, ConvGeometry geometry, ActivationMask? mask = null)
    {
        var dx = GradientStorage.Rent(geometry.Batch * geometry.InChannels * geometry.InPlane, Conv2dKernel.OverwritesInputGradient(geometry));
        Conv2dKernel.BackwardInput(outputGrad.Floats, w.Floats, dx, geometry, mask);
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
