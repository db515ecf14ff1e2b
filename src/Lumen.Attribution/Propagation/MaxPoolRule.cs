using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// DeepLift for max pooling: each window's difference Δy = max(x) − max(x′) is split into the part above the
/// reference, routed to the input's maximum, and the rest, routed to the reference's maximum; the multiplier of
/// an input element is its routed share over its own Δx.
/// </summary>
/// <remarks>With ŷ = max(y, y′): Δy = (ŷ − y′) + (y − ŷ); the first term goes to argmax x, the second to argmax x′,
/// so Σᵢ mᵢΔxᵢ = Σ g·Δy per window (completeness). Shrikumar et al. 2017, https://arxiv.org/abs/1704.02685 §3.5.</remarks>
/// <example><code>var rule = new MaxPoolRule();</code></example>
public sealed record MaxPoolRule : PropagationRule
{
    /// <inheritdoc/>
    public override string Name => "max-pool";

    /// <inheritdoc/>
    public override Tensor[] Backward(ModuleCall call, Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(outputGradient);
        var inputs = call.DataInputs;
        if (inputs.Count != 1) throw new NotSupportedException($"DeepLift max-pool rule: {call.Describe()} has {inputs.Count} data inputs, expected 1.");
        var (x, x0) = ReferencePair.Halves(inputs[0]);
        var (y, y0) = ReferencePair.Halves(call.Output);
        var (g, _) = ReferencePair.Halves(outputGradient);
        var top = y.Maximum(y0);
        Tensor Pool(Tensor v) => call.Evaluate([v]);
        var routed = ReferencePair.Vjp(Pool, x, g * (top - y0)) + ReferencePair.Vjp(Pool, x0, g * (y - top));
        var gradient = ReferencePair.Vjp(Pool, x, g);
        return [ReferencePair.Twice(ReferencePair.DivideOr(routed, x - x0, gradient))];
    }
}
