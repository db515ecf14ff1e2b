using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Gradient;

/// <summary>Options of <see cref="InputXGradient"/>.</summary>
public sealed record InputXGradientOptions
{
    /// <summary>Where attributions land (a layer gives Captum's LayerGradientXActivation).</summary>
    public AttributeTo AttributeTo { get; init; } = AttributeTo.Input;
}

/// <summary>Input × Gradient: the gradient scaled by the input, a first-order Taylor decomposition at zero.</summary>
/// <remarks>Aᵢ(x) = xᵢ · ∂f(x)/∂xᵢ. Exact (Σ A = f(x) − f(0)) for linear models. Shrikumar et al., "Not Just a Black
/// Box" (2016), https://arxiv.org/abs/1605.01713</remarks>
/// <example><code>var map = new InputXGradient(model).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class InputXGradient(Module model, InputXGradientOptions? options = null)
    : GradientMethod(model, (options ?? new()).AttributeTo, supportsLayer: true)
{
    /// <inheritdoc/>
    public override string Name => "input-x-gradient";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        cancellation.ThrowIfCancellationRequested();
        var (gradient, value) = GradientOf(input, target);
        progress?.Report(1);
        return new Attribution(value * gradient, target, Name);
    }
}
