using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Cam;

/// <summary>Grad-CAM: the layer's channels weighted by their spatially averaged gradient.</summary>
/// <remarks>αₖ = (1/hw) Σᵢⱼ ∂y/∂Aₖᵢⱼ, map = ReLU(Σₖ αₖ Aₖ). With <c>Relu = false</c> and <c>Upsample = false</c> this is
/// Captum's LayerGradCam. Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
/// Localization" (ICCV 2017), https://arxiv.org/abs/1610.02391</remarks>
/// <example><code>var map = new GradCam(model, new() { Layer = "layer4.1.conv2" }).Explain(input, Target.Class(207)).Map; // [1, 1, 224, 224]</code></example>
public sealed class GradCam(Module model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc/>
    public override string Name => "grad-cam";

    /// <inheritdoc/>
    protected override Tensor Combine(Tensor activation, Tensor? gradient)
    {
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentNullException.ThrowIfNull(gradient);
        var alpha = gradient.Mean(SpatialAxes(gradient), keepDims: true); // [B, K, 1…]
        return (alpha * activation).Sum(1, keepDims: true);             // [B, 1, S…]
    }
}
