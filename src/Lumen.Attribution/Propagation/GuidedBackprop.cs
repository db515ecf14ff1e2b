using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// Guided backpropagation: the gradient of the target with only positive gradient passed back through every
/// rectifier (ReLU, leaky ReLU, clip/ReLU6 — each <see cref="IRectifier"/>, not just ReLU).
/// </summary>
/// <remarks>At each rectifier y = f(x): ∂ ↦ relu(f′(x)·∂); elsewhere the ordinary gradient. Modules of unknown role
/// on the gradient path are refused (a rectifier hidden inside them would be missed). Springenberg et al.,
/// "Striving for Simplicity: The All Convolutional Net" (2014), https://arxiv.org/abs/1412.6806</remarks>
/// <example><code>var map = new GuidedBackprop(model).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class GuidedBackprop(Module model) : IAttributionMethod
{
    private readonly Module model = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc/>
    public string Name => "guided-backprop";

    /// <summary>Guided backpropagation as a composite: the guided rectifier rule on rectifiers, the gradient on
    /// every other module of known role.</summary>
    public static Composite Composite { get; } = RectifierComposite("guided-backprop", new RectifierRule(Guided: true));

    /// <inheritdoc/>
    public Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        var map = RectifiedGradient(model, Composite, input, target, cancellation);
        progress?.Report(1);
        return new Attribution(map, target, Name);
    }

    /// <summary><paramref name="rule"/> on rectifiers, the gradient on every other module of known role, null
    /// (refused) for modules of unknown role.</summary>
    internal static Composite RectifierComposite(string name, PropagationRule rule) => new(name, (_, module) => module switch
    {
        IRectifier => rule,
        ILinearLike or IAffine or IStructural or IActivation or IPooling or INormalization or ISoftmax => PropagationRule.Gradient,
        _ => null,
    });

    /// <summary>∂target/∂input with the composite's rules attached.</summary>
    internal static Tensor RectifiedGradient(Module model, Composite composite, Tensor input, Target target, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        cancellation.ThrowIfCancellationRequested();
        var x = input.Detach().RequireGrad();
        using var hooks = PropagationHooks.Attach(model, composite.Name, composite.For(model));
        return Gradients.Of(target.Select(TargetedForward.Read(model, x, target, composite.Name)), x);
    }
}
