using Lumen.NN.Hooks;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.NN.Models.Llama;

/// <summary>Causal grouped-query self-attention with rotary embeddings, with hook points <c>q</c>, <c>k</c>, <c>v</c>
/// (before rotation), <c>pattern</c> (attention probabilities), <c>z</c> (per-head mixed values) and <c>out</c>.</summary>
/// <remarks>
/// Per head h with key/value head g = h / (Heads / KvHeads):
/// <c>pattern = softmax(RoPE(q_h) RoPE(k_g)ᵀ / √d + causal mask)</c>, <c>z_h = pattern · v_g</c>,
/// <c>out = W_O [z_1 … z_H]</c>. Hook shapes: q <c>[B, T, H, d]</c>, k and v <c>[B, T, KvH, d]</c>, pattern
/// <c>[B, H, T, S]</c> (S = cached + new positions), z <c>[B, T, H, d]</c>, out <c>[B, T, Dim]</c>.
/// Vaswani et al. 2017, https://arxiv.org/abs/1706.03762; Ainslie et al. 2023 (GQA), https://arxiv.org/abs/2305.13245.
/// </remarks>
/// <example><code>var attn = new LlamaAttention(config, new RotaryEmbedding(config.HeadDim, config.MaxSeqLen)); var y = attn.Call(x);</code></example>
public sealed class LlamaAttention : Module
{
    private readonly LlamaConfig config;
    private readonly RotaryEmbedding rotary;

    /// <summary>Creates the layer with randomly initialised weights.</summary>
    public LlamaAttention(LlamaConfig config, RotaryEmbedding rotary)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rotary);
        this.config = config;
        this.rotary = rotary;
        int kvDim = config.KvHeads * config.HeadDim;
        Wq = Register("wq", new Linear(config.Dim, config.Dim, bias: false));
        Wk = Register("wk", new Linear(config.Dim, kvDim, bias: false));
        Wv = Register("wv", new Linear(config.Dim, kvDim, bias: false));
        Wo = Register("wo", new Linear(config.Dim, config.Dim, bias: false));
        Q = Register("q", new HookPoint());
        K = Register("k", new HookPoint());
        V = Register("v", new HookPoint());
        Pattern = Register("pattern", new HookPoint());
        Z = Register("z", new HookPoint());
        Out = Register("out", new HookPoint());
    }

    /// <summary>Query projection <c>[Dim, Dim]</c>.</summary>
    public Linear Wq { get; }

    /// <summary>Key projection <c>[KvHeads·d, Dim]</c>.</summary>
    public Linear Wk { get; }

    /// <summary>Value projection <c>[KvHeads·d, Dim]</c>.</summary>
    public Linear Wv { get; }

    /// <summary>Output projection <c>[Dim, Dim]</c>; columns <c>h·d … (h+1)·d−1</c> belong to head h.</summary>
    public Linear Wo { get; }

    /// <summary>Hook on the queries <c>[B, T, H, d]</c> (before rotation).</summary>
    public HookPoint Q { get; }

    /// <summary>Hook on the keys <c>[B, T, KvH, d]</c> (before rotation).</summary>
    public HookPoint K { get; }

    /// <summary>Hook on the values <c>[B, T, KvH, d]</c>.</summary>
    public HookPoint V { get; }

    /// <summary>Hook on the attention probabilities <c>[B, H, T, S]</c>.</summary>
    public HookPoint Pattern { get; }

    /// <summary>Hook on the per-head outputs before W_O, <c>[B, T, H, d]</c>.</summary>
    public HookPoint Z { get; }

    /// <summary>Hook on the layer output <c>[B, T, Dim]</c>.</summary>
    public HookPoint Out { get; }

    /// <summary>The cache this layer reads and appends to during a cached forward pass (set by <see cref="Llama"/>).</summary>
    internal (LlamaKvCache Cache, int Layer)? Session { get; set; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3 || x.Shape[2] != config.Dim) throw new ArgumentException($"{Describe()}: input {x.Shape} must be [B, T, {config.Dim}].", nameof(x));
        int b = x.Shape[0], t = x.Shape[1], h = config.Heads, g = config.KvHeads, d = config.HeadDim;
        int start = Session is { } s ? s.Cache.Positions(s.Layer) : 0;
        var q = Q.Call(Wq.Call(x).Reshape(b, t, h, d));                                // [B, T, H, d]
        var k = K.Call(Wk.Call(x).Reshape(b, t, g, d));                                // [B, T, G, d]
        var v = V.Call(Wv.Call(x).Reshape(b, t, g, d));                                // [B, T, G, d]
        var qh = rotary.Apply(q, start).Permute(0, 2, 1, 3);                           // [B, H, T, d]
        var kh = rotary.Apply(k, start).Permute(0, 2, 1, 3);                           // [B, G, T, d]
        var vh = v.Permute(0, 2, 1, 3);                                                // [B, G, T, d]
        if (Session is { } session) (kh, vh) = session.Cache.Append(session.Layer, kh, vh);
        int total = kh.Shape[2];
        kh = RepeatKv(kh, b, total);                                                   // [B, H, S, d]
        vh = RepeatKv(vh, b, total);
        var scores = qh.MatMul(kh.Transpose(2, 3)) * (1f / MathF.Sqrt(d));             // [B, H, T, S]
        if (t > 1) scores = Tensor.Where(CausalMask(t, total), scores, Tensor.Scalar(float.NegativeInfinity));
        var pattern = Pattern.Call(scores.Softmax(-1));                                // [B, H, T, S]
        var z = Z.Call(pattern.MatMul(vh).Permute(0, 2, 1, 3));                        // [B, T, H, d]
        return Out.Call(Wo.Call(z.Reshape(b, t, h * d)));                              // [B, T, Dim]
    }

    /// <summary>Key/value heads repeated so that query head h reads key/value head h / (H / G).</summary>
    private Tensor RepeatKv(Tensor kv, int b, int total)
    {
        int g = config.KvHeads, rep = config.Heads / g, d = config.HeadDim;
        if (rep == 1) return kv;
        return kv.Reshape(b, g, 1, total, d).Expand(b, g, rep, total, d).Reshape(b, g * rep, total, d);
    }

    /// <summary>True where query i (at absolute position total − t + i) may attend key j: <c>j ≤ total − t + i</c>.</summary>
    private static Tensor CausalMask(int t, int total)
    {
        var allowed = new bool[t * total];
        int offset = total - t;
        for (int i = 0; i < t; i++)
            for (int j = 0; j <= offset + i; j++) allowed[i * total + j] = true;
        return Tensor.FromArray(allowed, t, total);
    }
}
