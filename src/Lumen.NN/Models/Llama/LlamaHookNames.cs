using System.Globalization;

namespace Lumen.NN.Models.Llama;

/// <summary>The dotted hook names of <see cref="Llama"/>, so that tools never spell them by hand.</summary>
/// <example><code>model.Hooks.OnForward(LlamaHookNames.Pattern(3), (p, _) => …);</code></example>
public static class LlamaHookNames
{
    /// <summary>Token embeddings <c>[B, T, Dim]</c>.</summary>
    public const string Embed = "embed";

    /// <summary>Final normalised residual stream <c>[B, T, Dim]</c>.</summary>
    public const string LnFinal = "ln_final";

    /// <summary>Logits <c>[B, T, Vocab]</c>.</summary>
    public const string Logits = "logits";

    /// <summary>Residual stream entering block <paramref name="layer"/>.</summary>
    public static string ResidPre(int layer) => Block(layer, "resid_pre");

    /// <summary>Residual stream between attention and MLP of block <paramref name="layer"/>.</summary>
    public static string ResidMid(int layer) => Block(layer, "resid_mid");

    /// <summary>Residual stream leaving block <paramref name="layer"/>.</summary>
    public static string ResidPost(int layer) => Block(layer, "resid_post");

    /// <summary>Queries <c>[B, T, H, d]</c>.</summary>
    public static string Q(int layer) => Block(layer, "attn.q");

    /// <summary>Keys <c>[B, T, KvH, d]</c>.</summary>
    public static string K(int layer) => Block(layer, "attn.k");

    /// <summary>Values <c>[B, T, KvH, d]</c>.</summary>
    public static string V(int layer) => Block(layer, "attn.v");

    /// <summary>Attention probabilities <c>[B, H, T, S]</c>.</summary>
    public static string Pattern(int layer) => Block(layer, "attn.pattern");

    /// <summary>Per-head mixed values <c>[B, T, H, d]</c>.</summary>
    public static string Z(int layer) => Block(layer, "attn.z");

    /// <summary>Attention output <c>[B, T, Dim]</c>.</summary>
    public static string AttnOut(int layer) => Block(layer, "attn.out");

    /// <summary>MLP gate pre-activation <c>[B, T, Hidden]</c>.</summary>
    public static string MlpPre(int layer) => Block(layer, "mlp.pre");

    /// <summary>MLP hidden activation <c>[B, T, Hidden]</c>.</summary>
    public static string MlpPost(int layer) => Block(layer, "mlp.post");

    /// <summary>MLP output <c>[B, T, Dim]</c>.</summary>
    public static string MlpOut(int layer) => Block(layer, "mlp.out");

    /// <summary>The RMSNorm before attention (its input is the attention layer's input).</summary>
    public static string Ln1(int layer) => Block(layer, "ln1");

    /// <summary>The RMSNorm before the MLP.</summary>
    public static string Ln2(int layer) => Block(layer, "ln2");

    private static string Block(int layer, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        return string.Create(CultureInfo.InvariantCulture, $"blocks.{layer}.{name}");
    }
}
