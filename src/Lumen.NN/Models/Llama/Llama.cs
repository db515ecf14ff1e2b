using Lumen.NN.Hooks;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.NN.Models.Llama;

/// <summary>
/// A Llama-architecture decoder-only transformer (llama2.c / Llama 2) with a named hook point at every activation
/// that mechanistic interpretability reads or patches: <c>embed</c>, <c>blocks.{i}.resid_pre</c>,
/// <c>blocks.{i}.attn.{q,k,v,pattern,z,out}</c>, <c>blocks.{i}.resid_mid</c>, <c>blocks.{i}.mlp.{pre,post,out}</c>,
/// <c>blocks.{i}.resid_post</c>, <c>ln_final</c> and <c>logits</c>.
/// </summary>
/// <remarks>
/// <c>x₀ = E[tokens]</c>; per block <c>x ← x + attn(RMSNorm(x))</c>, <c>x ← x + mlp(RMSNorm(x))</c>;
/// <c>logits = RMSNorm(x) · W_U</c> with <c>W_U = Eᵀ</c> when the embeddings are tied. Input: Int64 token ids
/// <c>[B, T]</c>; output: logits <c>[B, T, Vocab]</c>. Touvron et al. 2023, https://arxiv.org/abs/2307.09288;
/// hook naming after TransformerLens (Nanda and Bloom 2022).
/// </remarks>
/// <example><code>
/// var model = LlamaCheckpoint.LoadLlama2c("stories260K.bin");
/// var (logits, cache) = model.RunWithCache(tokens, name => name.EndsWith(".attn.pattern"));
/// </code></example>
public sealed class Llama : Module
{
    /// <summary>Builds the model with randomly initialised weights (load weights with <see cref="LlamaCheckpoint"/>).</summary>
    public Llama(LlamaConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var rotary = new RotaryEmbedding(config.HeadDim, config.MaxSeqLen, config.RopeTheta);
        Embed = Register("embed", new Embedding(config.VocabSize, config.Dim));
        var blocks = new Sequential();
        for (int i = 0; i < config.Layers; i++) blocks.Append(new LlamaBlock(config, rotary));
        Blocks = Register("blocks", blocks);
        LnFinal = Register("ln_final", new RmsNorm(config.Dim, config.NormEps));
        Unembed = config.TiedEmbeddings ? null : Register("unembed", new Linear(config.Dim, config.VocabSize, bias: false));
        Logits = Register("logits", new HookPoint());
    }

    /// <summary>The architecture.</summary>
    public LlamaConfig Config { get; }

    /// <summary>Token embedding <c>[Vocab, Dim]</c>; its output is the hook <c>embed</c>.</summary>
    public Embedding Embed { get; }

    /// <summary>The blocks, named <c>blocks.0</c> … .</summary>
    public Sequential Blocks { get; }

    /// <summary>Block <paramref name="index"/>.</summary>
    public LlamaBlock Block(int index) => (LlamaBlock)Blocks[index];

    /// <summary>The final normalisation; its output is the hook <c>ln_final</c>.</summary>
    public RmsNorm LnFinal { get; }

    /// <summary>The untied unembedding (null when tied to <see cref="Embed"/>).</summary>
    public Linear? Unembed { get; }

    /// <summary>Hook on the logits <c>[B, T, Vocab]</c>.</summary>
    public HookPoint Logits { get; }

    /// <summary>The unembedding matrix <c>W_U</c> as <c>[Dim, Vocab]</c>.</summary>
    public Tensor UnembedMatrix => (Unembed?.Weight.Value ?? Embed.Weight.Value).Transpose(0, 1);

    /// <summary>Maps a normalised residual stream <c>[.., Dim]</c> to logits <c>[.., Vocab]</c> (no hooks).</summary>
    public Tensor Unembedding(Tensor normalized) =>
        normalized.MatMul(UnembedMatrix); // [.., Dim]·[Dim, V]

    /// <summary>Runs <paramref name="tokens"/> <c>[B, T]</c> as the continuation of what <paramref name="cache"/>
    /// holds (positions start at <c>cache.Length</c>) and appends their keys and values; hooks run as usual.</summary>
    /// <exception cref="ArgumentException">The cache is for another number of layers.</exception>
    public Tensor Forward(Tensor tokens, LlamaKvCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (cache.Layers != Config.Layers) throw new ArgumentException($"Llama: the cache has {cache.Layers} layers, the model {Config.Layers}.", nameof(cache));
        try
        {
            for (int i = 0; i < Config.Layers; i++) Block(i).Attention.Session = (cache, i);
            return Call(tokens);
        }
        finally
        {
            for (int i = 0; i < Config.Layers; i++) Block(i).Attention.Session = null;
        }
    }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.DType != DType.Int64 || x.Rank != 2)
            throw new ArgumentException($"{Describe()}: tokens must be Int64 [B, T], got {x.DType} {x.Shape}.", nameof(x));
        var residual = Embed.Call(x);                               // [B, T, Dim]
        residual = Blocks.Call(residual);                           // [B, T, Dim]
        return Logits.Call(Unembedding(LnFinal.Call(residual)));    // [B, T, Vocab]
    }
}
