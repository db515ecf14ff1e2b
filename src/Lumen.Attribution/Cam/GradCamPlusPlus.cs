using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Cam;

/// <summary>Grad-CAM++: channel weights that sum positive gradients with per-position coefficients, so several
/// instances of a class all count.</summary>
/// <remarks>With an exponential score, αₖᵢⱼ = Gₖᵢⱼ² / (2Gₖᵢⱼ² + Σₐᵦ Aₖₐᵦ · Gₖᵢⱼ³) (0 where G = 0),
/// wₖ = Σᵢⱼ αₖᵢⱼ ReLU(Gₖᵢⱼ), map = ReLU(Σₖ wₖ Aₖ). Chattopadhay et al., "Grad-CAM++: Improved Visual Explanations for
/// Deep Convolutional Networks" (WACV 2018), https://arxiv.org/abs/1710.11063</remarks>
/// <example><code>var map = new GradCamPlusPlus(model).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class GradCamPlusPlus(Module model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc/>
    public override string Name => "grad-cam-plus-plus";

    /// <inheritdoc/>
    protected override Tensor Combine(Tensor activation, Tensor? gradient)
    {
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentNullException.ThrowIfNull(gradient);
        var spatial = SpatialAxes(activation);
        var g2 = gradient * gradient;
        var g3 = g2 * gradient;
        var sumA = activation.Sum(spatial, keepDims: true);                       // [B, K, 1…]
        var alpha = g2 / (g2 * 2f + sumA * g3 + 1e-7f);
        alpha = Tensor.Where(gradient.NotEqual(0f), alpha, alpha.ZerosLike());    // [B, K, S…]
        var weights = (alpha * gradient.Relu()).Sum(spatial, keepDims: true);    // [B, K, 1…]
        return (weights * activation).Sum(1, keepDims: true);                     // [B, 1, S…]
    }
}
