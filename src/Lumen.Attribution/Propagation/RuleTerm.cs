using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// One re-evaluation of a layer inside an LRP <see cref="Rule"/>: the layer applied to a modified input with
/// modified parameters. Most rules have one term; z⁺ sums two (x⁺ with W⁺, x⁻ with W⁻) and z^B three.
/// </summary>
/// <remarks>The term contributes Scale · f(ModifyInput(x); ModifyParameters(W), ModifyParameters(b)) to the rule's
/// z, and Scale · Reduce(x̃, ∂⟨s, f⟩/∂x̃) to the relevance. Null parts leave input or parameters unchanged, which
/// lets the engine reuse the forward pass instead of re-evaluating the layer.</remarks>
/// <example><code>new RuleTerm { ModifyInput = x => x.Relu(), ModifyParameters = (p, kind) => p.Relu() }</code></example>
public sealed record RuleTerm
{
    /// <summary>x ↦ x̃ (null: x itself).</summary>
    public Func<Tensor, Tensor>? ModifyInput { get; init; }

    /// <summary>(θ, kind) ↦ θ̃ for the weight and the bias of a linear layer (null: unchanged). Layers without
    /// parameters of their own (sums, pooling) ignore it.</summary>
    public Func<Tensor, ParameterKind, Tensor>? ModifyParameters { get; init; }

    /// <summary>Sign or weight of the term in z and in the relevance (z^B subtracts its bound terms).</summary>
    public float Scale { get; init; } = 1f;
}
