using System.Buffers.Binary;
using System.Globalization;
using Lumen.NN.IO;
using Lumen.Tensors;

namespace Lumen.NN.Models.Llama;

/// <summary>Loads <see cref="Llama"/> weights from a llama2.c checkpoint (<c>.bin</c>, legacy layout) or from a
/// safetensors file with llama2.c <c>model.py</c> names.</summary>
/// <remarks>
/// llama2.c layout: 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a
/// negative vocab_size means an untied classifier), then float32 tensors tok_embeddings, rms_att, wq, wk, wv, wo,
/// rms_ffn, w1, w2, w3, rms_final, the unused rotary tables (2 × seq_len × head_size/2), and the classifier when
/// untied. Matrices are stored <c>[out, in]</c>, like <see cref="Layers.Linear"/> weights.
/// Karpathy, llama2.c, https://github.com/karpathy/llama2.c.
/// </remarks>
/// <example><code>var model = LlamaCheckpoint.LoadLlama2c("stories260K.bin");</code></example>
public static class LlamaCheckpoint
{
    /// <summary>Reads a llama2.c <c>.bin</c> checkpoint.</summary>
    public static Llama LoadLlama2c(string path)
    {
        using var stream = File.OpenRead(path);
        try { return LoadLlama2c(stream); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads a llama2.c <c>.bin</c> checkpoint from a stream.</summary>
    /// <exception cref="InvalidDataException">The header is implausible or the file is too short.</exception>
    public static Llama LoadLlama2c(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[7 * 4];
        stream.ReadExactly(header);
        int Field(int i) => BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4 * i));
        int vocab = Field(5);
        var config = new LlamaConfig
        {
            Dim = Field(0), HiddenDim = Field(1), Layers = Field(2), Heads = Field(3), KvHeads = Field(4),
            VocabSize = Math.Abs(vocab), MaxSeqLen = Field(6), TiedEmbeddings = vocab > 0,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"llama2.c checkpoint: implausible header: {e.Message}", e); }
        int dim = config.Dim, hidden = config.HiddenDim, layers = config.Layers, kvDim = config.KvHeads * config.HeadDim;
        Tensor Read(string what, params int[] shape)
        {
            var tensor = Tensor.Zeros(shape);
            var bytes = new byte[tensor.Size * 4];
            try { stream.ReadExactly(bytes); }
            catch (EndOfStreamException e) { throw new InvalidDataException($"llama2.c checkpoint: file ends inside '{what}' {new Shape(shape)}.", e); }
            var span = tensor.AsSpan();
            for (int i = 0; i < span.Length; i++) span[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
            return tensor;
        }
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["embed.weight"] = Read("tok_embeddings", config.VocabSize, dim) };
        void PerLayer(string what, string name, params int[] shape)
        {
            var all = Read(what, [layers, .. shape]);
            for (int i = 0; i < layers; i++)
                state[$"blocks.{i}.{name}"] = all.Slice(0, i, i + 1).Reshape(shape);
        }
        PerLayer("rms_att", "ln1.weight", dim);
        PerLayer("wq", "attn.wq.weight", dim, dim);
        PerLayer("wk", "attn.wk.weight", kvDim, dim);
        PerLayer("wv", "attn.wv.weight", kvDim, dim);
        PerLayer("wo", "attn.wo.weight", dim, dim);
        PerLayer("rms_ffn", "ln2.weight", dim);
        PerLayer("w1", "mlp.w1.weight", hidden, dim);
        PerLayer("w2", "mlp.w2.weight", dim, hidden);
        PerLayer("w3", "mlp.w3.weight", hidden, dim);
        state["ln_final.weight"] = Read("rms_final", dim);
        if (!config.TiedEmbeddings)
        {
            Read("freq_cis", 2, config.MaxSeqLen, config.HeadDim / 2);
            state["unembed.weight"] = Read("wcls", config.VocabSize, dim);
        }
        var model = new Llama(config);
        model.LoadStateDict(state);
        model.Eval();
        return model;
    }

    /// <summary>Reads a safetensors file with llama2.c <c>model.py</c> names (<c>tok_embeddings.weight</c>,
    /// <c>layers.N.attention.wq.weight</c>, …, <c>norm.weight</c>, optional <c>output.weight</c>); the sizes come
    /// from the tensors and, for rotary θ, norm ε and sequence length, from <c>__metadata__</c> when present.</summary>
    /// <exception cref="InvalidDataException">A required tensor is missing.</exception>
    public static Llama LoadSafetensors(string path)
    {
        var file = Safetensors.Read(path);
        var tensors = file.Tensors;
        Tensor Get(string name) => tensors.TryGetValue(name, out var t) ? t
            : throw new InvalidDataException($"{path}: missing tensor '{name}' (expected llama2.c model.py names).");
        var embedding = Get("tok_embeddings.weight");
        int layers = 0;
        while (tensors.ContainsKey($"layers.{layers}.attention.wq.weight")) layers++;
        if (layers == 0) throw new InvalidDataException($"{path}: no 'layers.0.attention.wq.weight' tensor.");
        int dim = embedding.Shape[1];
        int MetaInt(string key, int fallback) => file.Metadata.TryGetValue(key, out var v) && int.TryParse(v, CultureInfo.InvariantCulture, out int n) ? n : fallback;
        float MetaFloat(string key, float fallback) => file.Metadata.TryGetValue(key, out var v) && float.TryParse(v, CultureInfo.InvariantCulture, out float f) ? f : fallback;
        int heads = MetaInt("n_heads", 0);
        if (heads <= 0) throw new InvalidDataException($"{path}: the number of heads cannot be read from the tensors; __metadata__ must give 'n_heads'.");
        int headDim = dim / heads;
        var config = new LlamaConfig
        {
            Dim = dim, HiddenDim = Get("layers.0.feed_forward.w1.weight").Shape[0], Layers = layers, Heads = heads,
            KvHeads = Get("layers.0.attention.wk.weight").Shape[0] / headDim, VocabSize = embedding.Shape[0],
            MaxSeqLen = MetaInt("max_seq_len", 2048), NormEps = MetaFloat("norm_eps", 1e-5f), RopeTheta = MetaFloat("rope_theta", 10000f),
            TiedEmbeddings = !tensors.ContainsKey("output.weight"),
        };
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["embed.weight"] = embedding, ["ln_final.weight"] = Get("norm.weight") };
        if (!config.TiedEmbeddings) state["unembed.weight"] = Get("output.weight");
        for (int i = 0; i < layers; i++)
        {
            string from = $"layers.{i}.", to = $"blocks.{i}.";
            state[to + "ln1.weight"] = Get(from + "attention_norm.weight");
            state[to + "ln2.weight"] = Get(from + "ffn_norm.weight");
            foreach (var w in new[] { "wq", "wk", "wv", "wo" }) state[$"{to}attn.{w}.weight"] = Get($"{from}attention.{w}.weight");
            foreach (var w in new[] { "w1", "w2", "w3" }) state[$"{to}mlp.{w}.weight"] = Get($"{from}feed_forward.{w}.weight");
        }
        var model = new Llama(config);
        model.LoadStateDict(state);
        model.Eval();
        return model;
    }
}
