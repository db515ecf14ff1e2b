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
        ActivationThenConv2d(slope == 0f ? ReluRule(y) : LeakyReluRule(y, slope), x, w, geometry);

    // y = clamp(u, lo, hi), u = conv(x, w) + b. Where no u equalled lo or hi, lo ≤ u ≤ hi ⟺ lo < y < hi ⟺ lo⁺ ≤ y ≤ hi⁻
    // with lo⁺, hi⁻ the floats next to the bounds inside the interval (NaN y: no interval holds it), so the clamp's rule
    // on y with the bounds (lo⁺, hi⁻) gives the mask of the rule on u; in the tied channels the mask comes from their u.
    // Then the convolution's rule.
    internal static BackwardRule Conv2dClampedRule(Tensor x, Tensor w, ConvGeometry geometry, Tensor y, float lo, float hi, TiedChannels? tied)
    {
        float inLo = MathF.BitIncrement(lo), inHi = MathF.BitDecrement(hi);
        if (tied is null) return ActivationThenConv2d(ClampRule(y, inLo, inHi), x, w, geometry);
        var slot = new int[geometry.OutChannels];                 // channel → its plane in tied.Preactivation, or −1
        Array.Fill(slot, -1);
        for (int j = 0; j < tied.Channels.Length; j++) slot[tied.Channels[j]] = j;
        int channels = geometry.OutChannels, plane = geometry.OutPlane, count = tied.Channels.Length;
        var u = tied.Preactivation;
        // d = g where lo ≤ u ≤ hi, else 0, plane by plane from y or u (each plane reads g[i] before writing d[i], so d may be g)
        void Mask(float[] gs, float[] destination)
        {
            float[] ys = y.Floats;
            Parallelism.For(geometry.Batch * channels, plane, (start, end) =>
            {
                for (int p = start; p < end; p++)
                {
                    int j = slot[p % channels];
                    var gp = gs.AsSpan(p * plane, plane);
                    var dp = destination.AsSpan(p * plane, plane);
                    if (j < 0) Kernels.GradientMasks.Clamp(ys.AsSpan(p * plane, plane), gp, inLo, inHi, dp);
                    else Kernels.GradientMasks.Clamp(u.AsSpan((p / channels * count + j) * plane, plane), gp, lo, hi, dp);
                }
            });
        }
        BackwardRule clamp = (g, needs) =>
        {
            if (GradMode.IsEnabled)                                                          // differentiable in g (create-graph)
            {
                var inside = new float[y.Size];
                Mask(Tensor.Ones(y.Shape).Floats, inside);
                return [Tensor.Where(new Tensor(y.Shape, inside).Greater(0f), g, Tensor.Scalar(0f))];
            }
            var destination = IsFree(g) ? g.Floats : GradientStorage.Rent(y.Size, overwrite: true);
            Mask(g.Floats, destination);
            return [Fresh(ReferenceEquals(destination, g.Floats) ? g : new Tensor(y.Shape, destination))];
        };
        return ActivationThenConv2d(clamp, x, w, geometry);
    }

    // the rule of act(conv(x, w) + b) from the activation's rule (taking the output gradient) and the convolution's
    private static BackwardRule ActivationThenConv2d(BackwardRule activation, Tensor x, Tensor w, ConvGeometry geometry)
    {
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
