using Lumen.NN.Models.Llama;

namespace Lumen.NN.Tests.Models;

/// <summary>A small random Llama (GQA, untied by default) for tests that need exact, fast runs.</summary>
internal static class ToyLlama
{
    public static readonly LlamaConfig Config = new() { Dim = 16, HiddenDim = 24, Layers = 2, Heads = 4, KvHeads = 2, VocabSize = 11, MaxSeqLen = 16, TiedEmbeddings = false };

    public static Llama Random(LlamaConfig config, int seed)
    {
        var model = new Llama(config);
        var rng = new System.Random(seed);
        foreach (var p in model.Parameters())
        {
            var span = p.Value.AsSpan();
            bool norm = p.Name.EndsWith("ln1.weight", StringComparison.Ordinal) || p.Name.EndsWith("ln2.weight", StringComparison.Ordinal) || p.Name == "ln_final.weight";
            for (int i = 0; i < span.Length; i++) span[i] = norm ? 0.5f + (float)rng.NextDouble() : (float)(rng.NextDouble() * 2 - 1) * 0.5f;
        }
        model.Eval();
        return model;
    }
}
