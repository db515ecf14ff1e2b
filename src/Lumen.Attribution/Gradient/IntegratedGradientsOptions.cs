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

    /// <summary>Place the steps where the target changes most along the path, found by a forward-only pilot pass of
    /// <see cref="PilotSteps"/> cells (<see cref="AdaptiveSteps"/>): the same completeness error with fewer gradient
    /// evaluations on paths whose integrand is rough in places.</summary>
    public bool AdaptiveSteps { get; init; }

    /// <summary>Uniform cells of the pilot pass of <see cref="AdaptiveSteps"/> (forward passes: PilotSteps + 1 per sample).</summary>
    public int PilotSteps { get; init; } = 32;

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

    /// <summary>Rows per forward/backward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one chunk may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}
