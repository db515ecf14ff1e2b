using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// The backward pass of guided backpropagation and deconvolution at a rectifier (ReLU, leaky ReLU, clip/ReLU6):
/// only positive gradient passes. Guided: relu(f′(x)·g), the rectifier's own gradient with negative values cut;
/// deconvolution: relu(g), ignoring the forward pass.
/// </summary>
/// <remarks>Springenberg et al., "Striving for Simplicity: The All Convolutional Net" (2014),
/// https://arxiv.org/abs/1412.6806; Zeiler &amp; Fergus, "Visualizing and Understanding Convolutional Networks"
/// (2014), https://arxiv.org/abs/1311.2901</remarks>
/// <param name="Guided">True for guided backpropagation, false for deconvolution.</param>
/// <example><code>var guided = new RectifierRule(Guided: true);</code></example>
public sealed record RectifierRule(bool Guided) : PropagationRule
{
    /// <inheritdoc/>
    public override string Name => Guided ? "guided" : "deconvolution";

    /// <inheritdoc/>
    public override Tensor[] Backward(ModuleCall call, Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(outputGradient);
        var inputs = call.DataInputs;
        if (inputs.Count != 1 || inputs[0].Shape != outputGradient.Shape)
            throw new NotSupportedException($"{Name} rule: {call.Describe()} is not an elementwise rectifier.");
        return [(Guided ? call.Vjp(outputGradient)[0] : outputGradient).Relu()];
    }
}
