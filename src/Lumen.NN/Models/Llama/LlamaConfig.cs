namespace Lumen.NN.Models.Llama;

/// <summary>The shape of a Llama-architecture transformer (llama2.c / Llama 2): sizes, heads, vocabulary and the
/// constants of its normalisation and rotary embeddings.</summary>
/// <remarks>Head size is <c>Dim / Heads</c>; key/value heads are shared by <c>Heads / KvHeads</c> query heads
/// (grouped-query attention, Ainslie et al. 2023, https://arxiv.org/abs/2305.13245).</remarks>
/// <example><code>var config = new LlamaConfig { Dim = 64, HiddenDim = 172, Layers = 5, Heads = 8, KvHeads = 4, VocabSize = 512 };</code></example>
public sealed record LlamaConfig
{
    /// <summary>Width of the residual stream (d_model).</summary>
    public int Dim { get; init; } = 64;

    /// <summary>Width of the SwiGLU hidden layer.</summary>
    public int HiddenDim { get; init; } = 172;

    /// <summary>Number of transformer blocks.</summary>
    public int Layers { get; init; } = 5;

    /// <summary>Number of query heads.</summary>
    public int Heads { get; init; } = 8;

    /// <summary>Number of key/value heads (equal to <see cref="Heads"/> for plain multi-head attention).</summary>
    public int KvHeads { get; init; } = 4;

    /// <summary>Vocabulary size.</summary>
    public int VocabSize { get; init; } = 512;

    /// <summary>Longest sequence (positions of the rotary tables and the KV cache).</summary>
    public int MaxSeqLen { get; init; } = 512;

    /// <summary>RMSNorm epsilon.</summary>
    public float NormEps { get; init; } = 1e-5f;

    /// <summary>Rotary base θ.</summary>
    public float RopeTheta { get; init; } = 10000f;

    /// <summary>True when the unembedding is the transposed token embedding (weight tying).</summary>
    public bool TiedEmbeddings { get; init; } = true;

    /// <summary>Size of one head (<c>Dim / Heads</c>; 0 while Heads is not positive).</summary>
    public int HeadDim => Heads > 0 ? Dim / Heads : 0;

    /// <summary>Throws when the sizes are inconsistent.</summary>
    /// <exception cref="ArgumentException">A size is not positive, Dim is not divisible by Heads, Heads by KvHeads, or the head size is odd.</exception>
    public void Validate()
    {
        if (Dim <= 0 || HiddenDim <= 0 || Layers <= 0 || Heads <= 0 || KvHeads <= 0 || VocabSize <= 0 || MaxSeqLen <= 0)
            throw new ArgumentException($"LlamaConfig: every size must be positive: {this}.");
        if (Dim % Heads != 0) throw new ArgumentException($"LlamaConfig: Dim {Dim} is not divisible by Heads {Heads}.");
        if (Heads % KvHeads != 0) throw new ArgumentException($"LlamaConfig: Heads {Heads} is not divisible by KvHeads {KvHeads}.");
        if (HeadDim % 2 != 0) throw new ArgumentException($"LlamaConfig: head size {HeadDim} must be even for rotary embeddings.");
    }
}
