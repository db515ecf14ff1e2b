using Lumen.NN.Layers;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// An LRP rule as a modified gradient, in named parts (Zennit's design): the layer is re-evaluated per
/// <see cref="Terms"/> on modified inputs and parameters, giving z; <see cref="MapGradient"/> turns the output
/// relevance R into a seed s (R/z, stabilised); the gradient of ⟨s, z⟩ reaches each modified input x̃, and
/// <see cref="Reduce"/> turns it into input relevance (x̃ ⊙ g). <see cref="Also"/> adds further weighted rules
/// (α·positive − β·negative for LRP-αβ). A rule without terms passes R through unchanged (activations).
/// </summary>
/// <remarks>
/// For a linear layer z = Wx + b and the single identity term: Rᵢ = xᵢ Σⱼ Wⱼᵢ Rⱼ / (zⱼ + ε sign zⱼ) (LRP-ε).
/// Bach et al., "On Pixel-Wise Explanations…" (PLoS ONE 2015), https://doi.org/10.1371/journal.pone.0130140;
/// Montavon et al., "Layer-Wise Relevance Propagation: An Overview" (2019),
/// https://doi.org/10.1007/978-3-030-28954-6_10; Anders et al., "Software for Dataset-wide XAI" (Zennit, 2021),
/// https://arxiv.org/abs/2106.13200
/// </remarks>
/// <example><code>var epsilon = Rules.Epsilon(1e-6f);
/// var custom = new Rule("my-plus") { Terms = [new() { ModifyParameters = (p, _) => p.Relu() }] };</code></example>
public sealed record Rule(string RuleName) : PropagationRule
{
    /// <inheritdoc/>
    public override string Name => RuleName;

    /// <summary>The layer's re-evaluations whose scaled outputs add up to z (empty: pass relevance through).</summary>
    public IReadOnlyList<RuleTerm> Terms { get; init; } = [new()];

    /// <summary>(R, z) ↦ s, the seed of the gradient; by default R / (z + ε·sign z) with ε = 1e-6 and sign 0 = 1.</summary>
    public Func<Tensor, Tensor, Tensor> MapGradient { get; init; } = (r, z) => r / Rules.Stabilize(z, 1e-6f);

    /// <summary>(x̃, g) ↦ input relevance of one term, by default x̃ ⊙ g.</summary>
    public Func<Tensor, Tensor, Tensor> Reduce { get; init; } = (x, g) => x * g;

    /// <summary>Weight of this rule's relevance (α of LRP-αβ).</summary>
    public float Weight { get; init; } = 1f;

    /// <summary>Further rules whose relevance, times their own <see cref="Weight"/>, is added (−β·negative part).</summary>
    public IReadOnlyList<Rule> Also { get; init; } = [];

    /// <inheritdoc/>
    public override Tensor[] Backward(ModuleCall call, Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(outputGradient);
        var inputs = call.DataInputs;
        if (Terms.Count == 0)
        {
            if (inputs.Count != 1 || inputs[0].Shape != outputGradient.Shape)
                throw new NotSupportedException($"LRP rule '{Name}' passes relevance through unchanged, which needs one input shaped like the output; {call.Describe()} has {inputs.Count} data input(s) and maps {(inputs.Count > 0 ? inputs[0].Shape : "nothing")} to {outputGradient.Shape}.");
            return [outputGradient];
        }
        if (call.Module is not IAffine)
            throw new NotSupportedException($"LRP rule '{Name}' applies to linear and affine layers (ILinearLike, IAffine); {call.Describe()} is neither.");
        if (call.Module is INormalization && call.Module.Training)
            throw new NotSupportedException($"LRP rule '{Name}': {call.Describe()} is a normalisation layer in training mode (not affine per sample); call Eval() on the model first.");
        var relevance = Relevance(call, inputs, outputGradient);
        foreach (var other in Also)
        {
            var extra = other.Relevance(call, inputs, outputGradient);
            for (int i = 0; i < relevance.Length; i++) relevance[i] = relevance[i] + extra[i];
        }
        return relevance;
    }

    /// <summary>Weight · Σ_terms Scale · Reduce(x̃, ∂⟨MapGradient(R, z), z⟩/∂x̃) for each data input.</summary>
    private Tensor[] Relevance(ModuleCall call, IReadOnlyList<Tensor> inputs, Tensor r)
    {
        var modifiedInputs = new Tensor[Terms.Count][];
        var outputs = new Tensor?[Terms.Count];
        using (GradMode.On())
        {
            for (int t = 0; t < Terms.Count; t++)
            {
                var term = Terms[t];
                if (term.ModifyInput is null && (term.ModifyParameters is null || call.Module is not ILinearLike))
                {
                    modifiedInputs[t] = [.. inputs];
                    outputs[t] = call.Output; // the forward pass itself
                    continue;
                }
                modifiedInputs[t] = [.. inputs.Select(x => (term.ModifyInput is null ? x : term.ModifyInput(x.Detach())).Detach().RequireGrad())];
                // A term whose modified inputs are all zero (x⁻ after a ReLU) adds nothing to z or R for a linear
                // layer without a bias in the term: skip re-evaluating it.
                if (call.Module is ILinearLike && IsZeroTerm(call, term, modifiedInputs[t])) continue;
                outputs[t] = Evaluate(call, term, modifiedInputs[t]);
            }
        }
        Tensor? z = null;
        for (int t = 0; t < Terms.Count; t++)
            if (outputs[t] is { } output) z = z is null ? output.Detach() * Terms[t].Scale : z + output.Detach() * Terms[t].Scale;
        var seed = MapGradient(r, z ?? r.ZerosLike());
        var relevance = new Tensor[inputs.Count];
        for (int t = 0; t < Terms.Count; t++)
        {
            if (outputs[t] is null) continue;
            var grads = Gradients.Of([outputs[t]!], modifiedInputs[t], [seed]);
            for (int i = 0; i < inputs.Count; i++)
            {
                var share = Reduce(modifiedInputs[t][i].Detach(), grads[i]) * (Terms[t].Scale * Weight);
                relevance[i] = relevance[i] is null ? share : relevance[i] + share;
            }
        }
        for (int i = 0; i < inputs.Count; i++) relevance[i] ??= inputs[i].ZerosLike();
        return relevance;
    }

    /// <summary>True when every modified input is zero and the term's bias is absent or zero.</summary>
    private static bool IsZeroTerm(ModuleCall call, RuleTerm term, Tensor[] modifiedInputs)
    {
        foreach (var x in modifiedInputs)
            if (x.AsReadOnlySpan().ContainsAnyExcept(0f)) return false;
        var linear = (ILinearLike)call.Module;
        if (linear.Bias is null) return true;
        var bias = term.ModifyParameters is null ? linear.Bias.Value : term.ModifyParameters(linear.Bias.Value.Detach(), ParameterKind.Bias);
        return !bias.AsReadOnlySpan().ContainsAnyExcept(0f);
    }

    private static Tensor Evaluate(ModuleCall call, RuleTerm term, Tensor[] inputs)
    {
        if (call.Module is ILinearLike linear && term.ModifyParameters is { } modify)
        {
            var weight = modify(linear.Weight.Value.Detach(), ParameterKind.Weight).Detach();
            var bias = linear.Bias is null ? null : modify(linear.Bias.Value.Detach(), ParameterKind.Bias).Detach();
            using var _ = PropagationHooks.Suspend();
            return linear.Apply(inputs[0], weight, bias);
        }
        return call.Evaluate(inputs);
    }
}
