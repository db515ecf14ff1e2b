using Lumen.NN.Hooks;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.NN.Models.Llama;

/// <summary>The SwiGLU feed-forward layer of a Llama block, with hook points <c>pre</c> (gate pre-activation),
/// <c>post</c> (gated hidden activation) and <c>out</c> (the layer's contribution to the residual stream).</summary>
/// <remarks><c>pre = W₁x</c>, <c>post = silu(pre) ⊙ W₃x</c>, <c>out = W₂ post</c>. Shazeer 2020, GLU Variants Improve
/// Transformer, https://arxiv.org/abs/2002.05202.</remarks>
/// <example><code>var mlp = new LlamaMlp(64, 172); var y = mlp.Call(x); // x: [B, T, 64]</code></example>
public sealed class LlamaMlp : Module
{
    /// <summary>Creates the layer with randomly initialised weights.</summary>
    public LlamaMlp(int dim, int hiddenDim)
    {
        W1 = Register("w1", new Linear(dim, hiddenDim, bias: false));
        W2 = Register("w2", new Linear(hiddenDim, dim, bias: false));
        W3 = Register("w3", new Linear(dim, hiddenDim, bias: false));
        Pre = Register("pre", new HookPoint());
        Post = Register("post", new HookPoint());
        Out = Register("out", new HookPoint());
    }

    /// <summary>Gate projection W₁ <c>[hidden, dim]</c>.</summary>
    public Linear W1 { get; }

    /// <summary>Down projection W₂ <c>[dim, hidden]</c>.</summary>
    public Linear W2 { get; }

    /// <summary>Up projection W₃ <c>[hidden, dim]</c>.</summary>
    public Linear W3 { get; }

    /// <summary>Hook on the gate pre-activation <c>[B, T, hidden]</c>.</summary>
    public HookPoint Pre { get; }

    /// <summary>Hook on the gated hidden activation <c>[B, T, hidden]</c>.</summary>
    public HookPoint Post { get; }

    /// <summary>Hook on the output <c>[B, T, dim]</c>.</summary>
    public HookPoint Out { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        var pre = Pre.Call(W1.Call(x));                 // [B, T, hidden]
        var post = Post.Call(pre.Silu() * W3.Call(x));  // [B, T, hidden]
        return Out.Call(W2.Call(post));                 // [B, T, dim]
    }
}
