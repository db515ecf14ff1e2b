using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Cam;

/// <summary>Layer-CAM: every position weighted by its own positive gradient, which keeps fine detail in shallow layers.</summary>
/// <remarks>map = ReLU(Σₖ ReLU(∂y/∂Aₖᵢⱼ) · Aₖᵢⱼ). Jiang et al., "LayerCAM: Exploring Hierarchical Class Activation Maps
/// for Localization" (IEEE TIP 2021), https://doi.org/10.1109/TIP.2021.3089943</remarks>
/// <example><code>var map = new LayerCam(model, new() { Layer = "layer2.1.relu" }).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class LayerCam(Module model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc/>
    public override string Name => "layer-cam";

    /// <inheritdoc/>
    protected override Tensor Combine(Tensor activation, Tensor? gradient)
    {
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentNullException.ThrowIfNull(gradient);
        return (gradient.Relu() * activation).Sum(1, keepDims: true); // [B, 1, S…]
    }
}
