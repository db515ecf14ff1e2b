using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// Deconvolution (Zeiler &amp; Fergus): the gradient of the target with every rectifier (ReLU, leaky ReLU,
/// clip/ReLU6 — each <see cref="IRectifier"/>) replaced in the backward pass by a ReLU of the incoming gradient.
/// </summary>
/// <remarks>At each rectifier: ∂ ↦ relu(∂), independent of the forward activation; elsewhere the ordinary
/// gradient. Zeiler &amp; Fergus, "Visualizing and Understanding Convolutional Networks" (ECCV 2014),
/// https://arxiv.org/abs/1311.2901</remarks>
/// <example><code>var map = new Deconvolution(model).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class Deconvolution(Module model) : IAttributionMethod
{
    private readonly Module model = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc/>
    public string Name => "deconvolution";

    /// <summary>Deconvolution as a composite: the deconvolution rule on rectifiers, the gradient elsewhere.</summary>
    public static Composite Composite { get; } = GuidedBackprop.RectifierComposite("deconvolution", new RectifierRule(Guided: false));

    /// <inheritdoc/>
    public Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        var map = GuidedBackprop.RectifiedGradient(model, Composite, input, target, cancellation);
        progress?.Report(1);
        return new Attribution(map, target, Name);
    }
}
