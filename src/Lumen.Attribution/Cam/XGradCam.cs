using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Cam;

/// <summary>XGrad-CAM: channel weights that make the map satisfy the sensitivity and conservation axioms.</summary>
/// <remarks>wₖ = Σᵢⱼ (Aₖᵢⱼ / Σₐᵦ Aₖₐᵦ) · ∂y/∂Aₖᵢⱼ, map = ReLU(Σₖ wₖ Aₖ). Fu et al., "Axiom-based Grad-CAM: Towards
/// Accurate Visualization and Explanation of CNNs" (BMVC 2020), https://arxiv.org/abs/2008.02312</remarks>
/// <example><code>var map = new XGradCam(model).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class XGradCam(Module model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc/>
    public override string Name => "x-grad-cam";

    /// <inheritdoc/>
    protected override Tensor Combine(Tensor activation, Tensor? gradient)
    {
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentNullException.ThrowIfNull(gradient);
        var spatial = SpatialAxes(activation);
        var weights = (gradient * activation).Sum(spatial, keepDims: true) / (activation.Sum(spatial, keepDims: true) + 1e-7f); // [B, K, 1…]
        return (weights * activation).Sum(1, keepDims: true); // [B, 1, S…]
    }
}
