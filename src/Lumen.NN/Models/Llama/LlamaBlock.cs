using Lumen.NN.Hooks;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.NN.Models.Llama;

/// <summary>One pre-norm Llama block, with hook points on the residual stream before the block
/// (<c>resid_pre</c>), between attention and MLP (<c>resid_mid</c>) and after it (<c>resid_post</c>).</summary>
/// <remarks><c>resid_mid = resid_pre + attn(ln1(resid_pre))</c>, <c>resid_post = resid_mid + mlp(ln2(resid_mid))</c>,
/// with RMSNorm for ln1/ln2 (Zhang and Sennrich 2019, https://arxiv.org/abs/1910.07467).</remarks>
/// <example><code>var block = new LlamaBlock(config, rotary); var y = block.Call(x); // [B, T, Dim]</code></example>
public sealed class LlamaBlock : Module
{
    /// <summary>Creates the block with randomly initialised weights.</summary>
    public LlamaBlock(LlamaConfig config, RotaryEmbedding rotary)
    {
        ArgumentNullException.ThrowIfNull(config);
        ResidPre = Register("resid_pre", new HookPoint());
        Ln1 = Register("ln1", new RmsNorm(config.Dim, config.NormEps));
        Attention = Register("attn", new LlamaAttention(config, rotary));
        ResidMid = Register("resid_mid", new HookPoint());
        Ln2 = Register("ln2", new RmsNorm(config.Dim, config.NormEps));
        Mlp = Register("mlp", new LlamaMlp(config.Dim, config.HiddenDim));
        ResidPost = Register("resid_post", new HookPoint());
    }

    /// <summary>Hook on the block input <c>[B, T, Dim]</c>.</summary>
    public HookPoint ResidPre { get; }

    /// <summary>Normalisation before attention.</summary>
    public RmsNorm Ln1 { get; }

    /// <summary>The attention layer.</summary>
    public LlamaAttention Attention { get; }

    /// <summary>Hook on the residual stream after attention <c>[B, T, Dim]</c>.</summary>
    public HookPoint ResidMid { get; }

    /// <summary>Normalisation before the MLP.</summary>
    public RmsNorm Ln2 { get; }

    /// <summary>The feed-forward layer.</summary>
    public LlamaMlp Mlp { get; }

    /// <summary>Hook on the block output <c>[B, T, Dim]</c>.</summary>
    public HookPoint ResidPost { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        var residPre = ResidPre.Call(x);
        var residMid = ResidMid.Call(residPre + Attention.Call(Ln1.Call(residPre)));
        return ResidPost.Call(residMid + Mlp.Call(Ln2.Call(residMid)));
    }
}
