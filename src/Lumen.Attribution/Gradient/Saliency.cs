using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Gradient;

/// <summary>Options of <see cref="Saliency"/>.</summary>
public sealed record SaliencyOptions
{
    /// <summary>Return |∂f/∂x| (Simonyan et al.; Captum's default) rather than the signed gradient.</summary>
    public bool Absolute { get; init; } = true;

    /// <summary>Where attributions land.</summary>
    public AttributeTo AttributeTo { get; init; } = AttributeTo.Input;
}

/// <summary>Saliency: the gradient of the target with respect to the input, optionally in absolute value.</summary>
/// <remarks>Sᵢ(x) = |∂f(x)/∂xᵢ|. Simonyan, Vedaldi, Zisserman, "Deep Inside Convolutional Networks" (2013),
/// https://arxiv.org/abs/1312.6034</remarks>
/// <example><code>var map = new Saliency(model).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class Saliency(Module model, SaliencyOptions? options = null)
    : GradientMethod(model, (options ?? new()).AttributeTo, supportsLayer: true)
{
    private readonly SaliencyOptions options = options ?? new();

    /// <inheritdoc/>
    public override string Name => "saliency";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        cancellation.ThrowIfCancellationRequested();
        var (gradient, _) = GradientOf(input, target);
        progress?.Report(1);
        return new Attribution(options.Absolute ? gradient.Abs() : gradient, target, Name);
    }
}
