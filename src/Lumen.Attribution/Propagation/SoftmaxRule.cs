using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// DeepLift for softmax (and log-softmax): the multipliers are the Jacobian averaged along the straight path from
/// the reference to the input, so that Σᵢ mᵢΔxᵢ = Δy for every output (completeness), instead of an elementwise
/// rescale that ignores the normalisation.
/// </summary>
/// <remarks>m = ∫₀¹ gᵀ J_softmax(x′ + α(x − x′)) dα, by 32-point Gauss–Legendre quadrature (error far below float
/// precision for the smooth softmax). Shrikumar et al. 2017 (https://arxiv.org/abs/1704.02685) recommend
/// attributing to the logits; this rule makes a softmax inside the model safe too.</remarks>
/// <example><code>var rule = new SoftmaxRule();</code></example>
public sealed record SoftmaxRule : PropagationRule
{
    /// <inheritdoc/>
    public override string Name => "softmax-path";

    /// <inheritdoc/>
    public override Tensor[] Backward(ModuleCall call, Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(outputGradient);
        var inputs = call.DataInputs;
        if (inputs.Count != 1) throw new NotSupportedException($"DeepLift softmax rule: {call.Describe()} has {inputs.Count} data inputs, expected 1.");
        var (x, x0) = ReferencePair.Halves(inputs[0]);
        var (g, _) = ReferencePair.Halves(outputGradient);
        return [ReferencePair.Twice(ReferencePair.PathAveragedVjp(v => call.Evaluate([v]), x, x0, g))];
    }
}
