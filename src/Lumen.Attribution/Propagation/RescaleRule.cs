using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// DeepLift's Rescale rule for an elementwise nonlinearity y = f(x) (ReLU, leaky ReLU, clip/ReLU6, sigmoid, tanh…):
/// the multiplier is the secant slope m = Δy/Δx between input and reference, or f′(x) where Δx ≈ 0.
/// </summary>
/// <remarks>m·Δx = Δy exactly, so the rule conserves the difference from reference. Shrikumar, Greenside, Kundaje,
/// "Learning Important Features Through Propagating Activation Differences" (ICML 2017), https://arxiv.org/abs/1704.02685</remarks>
/// <example><code>var rule = new RescaleRule();</code></example>
public sealed record RescaleRule : PropagationRule
{
    /// <inheritdoc/>
    public override string Name => "rescale";

    /// <inheritdoc/>
    public override Tensor[] Backward(ModuleCall call, Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(outputGradient);
        var inputs = call.DataInputs;
        if (inputs.Count != 1 || inputs[0].Shape != call.Output.Shape)
            throw new NotSupportedException($"DeepLift rescale rule: {call.Describe()} is not elementwise (one input shaped like its output).");
        var (x, x0) = ReferencePair.Halves(inputs[0]);
        var (y, y0) = ReferencePair.Halves(call.Output);
        var (g, _) = ReferencePair.Halves(outputGradient);
        var (gradient, _) = ReferencePair.Halves(call.Vjp(outputGradient)[0]);
        return [ReferencePair.Twice(ReferencePair.DivideOr(g * (y - y0), x - x0, gradient))];
    }
}
