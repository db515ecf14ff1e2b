using Lumen.Tensors;

namespace Lumen.NN.Hooks;

/// <summary>An identity module that gives an intermediate value a hookable name inside a hand-written model
/// (TransformerLens' HookPoint): <c>attn = Register("pattern", new HookPoint()); … scores = attn.Call(scores);</c>.</summary>
public sealed class HookPoint : Module
{
    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => x;
}
