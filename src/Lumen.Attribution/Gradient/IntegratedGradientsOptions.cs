using Lumen.Attribution.Common;

namespace Lumen.Attribution.Gradient;

/// <summary>Options of <see cref="IntegratedGradients"/>.</summary>
public sealed record IntegratedGradientsOptions
{
    /// <summary>Number of points on the path from the baseline to the input (gradient evaluations per sample).</summary>
    public int Steps { get; init; } = 50;

    /// <summary>How the path integral is discretised (Captum's default is Gauss–Legendre). Ignored when
    /// <see cref="AdaptiveSteps"/> is on.</summary>
    public Quadrature Quadrature { get; init; } = Quadrature.GaussLegendre;

    /// <summary>Place the steps adaptively (<see cref="Common.AdaptiveSteps"/>): each gradient pass also gives the
    /// score, so every cell of the path knows its exact integral, and the cells whose trapezoid estimate misses it most
    /// are bisected until <see cref="Steps"/> points are spent (at least 3). The same completeness error with fewer
    /// gradient evaluations where the integrand is rough in places. Not with layer conductance.</summary>
    public bool AdaptiveSteps { get; init; }

    /// <summary>The reference input x′.</summary>
    public Baseline Baseline { get; init; } = Baseline.Zero;

    /// <summary>Multiply the averaged gradient by (x − x′) (the global attribution); false gives the averaged
    /// gradient alone (Captum's <c>multiply_by_inputs=False</c>; with a layer on the input path, InternalInfluence).</summary>
    public bool MultiplyByInputs { get; init; } = true;

    /// <summary>Where attributions land: the input, or a layer (see <see cref="LayerPath"/>).</summary>
    public AttributeTo AttributeTo { get; init; } = AttributeTo.Input;

    /// <summary>The path when attributing to a layer: straight in the activation (LayerIntegratedGradients) or in the
    /// input (LayerConductance, InternalInfluence).</summary>
    public LayerPath LayerPath { get; init; } = LayerPath.Activation;

    /// <summary>Attribute only the part of the target that flows through these units, read at a hook point:
    /// <c>Target.Neuron(hook, j)</c> gives Captum's NeuronConductance, (xᵢ − x′ᵢ) ∫₀¹ ∂f/∂yⱼ · ∂yⱼ/∂xᵢ dα, the
    /// conductance of neuron yⱼ split over the input features (Dhamdhere et al., "How Important Is a Neuron?",
    /// https://arxiv.org/abs/1805.12233); <c>Target.Channel(hook, c)</c> the sum of that over the channel's units.
    /// Null (the default) is plain Integrated Gradients. Input attribution with a fixed quadrature only; no
    /// <see cref="Attribution.Delta"/> (the attributions sum to the unit's conductance, not to f(x) − f(x′)).</summary>
    public Target? Through { get; init; }

    /// <summary>Rows per forward/backward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one chunk may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}
