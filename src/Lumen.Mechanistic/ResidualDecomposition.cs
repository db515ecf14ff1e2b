using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>Splits the final residual stream into what the embedding, each attention layer (or each head) and
/// each MLP wrote into it.</summary>
/// <remarks>
/// <c>resid_final = embed + Σ_ℓ (attn_ℓ + mlp_ℓ)</c>, and per head <c>attn_ℓ = Σ_h z_{ℓ,h} W_O[:, h]ᵀ</c> (no bias in
/// Llama). At layer granularity the components are the cached <c>attn.out</c>/<c>mlp.out</c> hooks and their sum in
/// model order reproduces the final residual bit for bit; per head the split is exact up to float rounding.
/// Elhage et al. 2021, A Mathematical Framework for Transformer Circuits,
/// https://transformer-circuits.pub/2021/framework/index.html.
/// </remarks>
/// <example><code>var parts = new ResidualDecomposition(model).Decompose(tokens, perHead: true);</code></example>
public sealed class ResidualDecomposition
{
    private readonly Llama model;

    /// <summary>A decomposition over <paramref name="model"/>.</summary>
    public ResidualDecomposition(Llama model)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
    }

    /// <summary>Runs <paramref name="tokens"/> once and returns the components.</summary>
    public ResidualComponents Decompose(IReadOnlyList<int> tokens, bool perHead = false)
    {
        var config = model.Config;
        using var _ = GradMode.Off();
        var (_, cache) = model.RunWithCache(TokenSequence.ToTensor(tokens), name => name == LlamaHookNames.Embed
            || name.EndsWith(".attn.out", StringComparison.Ordinal) || name.EndsWith(".attn.z", StringComparison.Ordinal)
            || name.EndsWith(".mlp.out", StringComparison.Ordinal) || name == LlamaHookNames.ResidPost(config.Layers - 1), detach: true);
        int t = tokens.Count, d = config.Dim;
        var names = new List<string> { "embed" };
        var parts = new List<Tensor> { cache[LlamaHookNames.Embed].Reshape(1, t, d) };
        for (int layer = 0; layer < config.Layers; layer++)
        {
            if (perHead)
                for (int h = 0; h < config.Heads; h++)
                {
                    names.Add(HeadName(layer, h));
                    parts.Add(HeadOutput(cache[LlamaHookNames.Z(layer)], layer, h).Reshape(1, t, d));
                }
            else
            {
                names.Add($"attn {layer}");
                parts.Add(cache[LlamaHookNames.AttnOut(layer)].Reshape(1, t, d));
            }
            names.Add($"mlp {layer}");
            parts.Add(cache[LlamaHookNames.MlpOut(layer)].Reshape(1, t, d));
        }
        return new ResidualComponents(names, Tensor.Concat(parts, axis: 0), cache[LlamaHookNames.ResidPost(config.Layers - 1)].Reshape(t, d));
    }

    /// <summary>What head <paramref name="head"/> of <paramref name="layer"/> writes into the residual stream,
    /// <c>z_h W_O[:, h]ᵀ</c>, from its <c>attn.z</c> activation <c>[B, T, H, d]</c>; returns <c>[B, T, Dim]</c>.</summary>
    public Tensor HeadOutput(Tensor z, int layer, int head)
    {
        ArgumentNullException.ThrowIfNull(z);
        var config = model.Config;
        if ((uint)head >= (uint)config.Heads) throw new ArgumentOutOfRangeException(nameof(head), $"ResidualDecomposition: head {head} is outside 0..{config.Heads - 1}.");
        int b = z.Shape[0], t = z.Shape[1], hd = config.HeadDim;
        var zh = z.Slice(2, head, head + 1).Reshape(b, t, hd);                                        // [B, T, d]
        var wo = model.Block(layer).Attention.Wo.Weight.Value.Slice(1, head * hd, (head + 1) * hd);  // [Dim, d]
        return zh.MatMul(wo.Transpose(0, 1));                                                         // [B, T, Dim]
    }

    /// <summary>The conventional head label <c>L{layer}H{head}</c>.</summary>
    public static string HeadName(int layer, int head) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"L{layer}H{head}");
}
