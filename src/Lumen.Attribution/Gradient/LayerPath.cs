namespace Lumen.Attribution.Gradient;

/// <summary>Which path <see cref="IntegratedGradients"/> integrates along when it attributes to a layer.</summary>
public enum LayerPath
{
    /// <summary>The straight line from the layer's activation for the baseline, a′ = a(x′), to its activation for the
    /// input, a = a(x), substituted into the forward pass: LIGⱼ = (aⱼ − a′ⱼ) ∫₀¹ ∂f/∂aⱼ(a′ + α(a − a′)) dα (Captum's
    /// LayerIntegratedGradients). Paths that bypass the layer see the input x.</summary>
    Activation,

    /// <summary>The straight line from x′ to x in the input, as the layer sees it: with
    /// <see cref="IntegratedGradientsOptions.MultiplyByInputs"/> the conductance ∫₀¹ ∂f/∂aⱼ · daⱼ/dα dα (Captum's
    /// LayerConductance), without it the internal influence ∫₀¹ ∂f/∂aⱼ dα (Captum's InternalInfluence).</summary>
    Input,
}
