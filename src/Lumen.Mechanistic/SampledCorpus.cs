using Lumen.NN.Models.Llama;

namespace Lumen.Mechanistic;

/// <summary>Text corpora drawn from the model itself, for the tools that train on a model's activations (sparse
/// autoencoders, the tuned lens) when no text data set is at hand: a small model such as stories260K writes text
/// from its own training distribution.</summary>
/// <remarks>Sequence i continues prompt <c>i mod P</c> (default: BOS alone) by <c>length</c> tokens, sampled with
/// the given temperature (0: greedy) and no stop token; the prompts are batched, one batch per distinct prompt, and
/// batch p is seeded with <c>seed + p</c>. Each returned sequence is its prompt followed by the continuation.</remarks>
/// <example><code>var train = SampledCorpus.Generate(model, count: 64, length: 96, seed: 0);</code></example>
public static class SampledCorpus
{
    /// <summary>Samples <paramref name="count"/> sequences of prompt + <paramref name="length"/> new tokens.</summary>
    /// <param name="model">The model that writes the text.</param>
    /// <param name="count">Number of sequences.</param>
    /// <param name="length">New tokens per sequence.</param>
    /// <param name="seed">Sampler seed.</param>
    /// <param name="temperature">Sampling temperature; 0 is greedy (then copies of one prompt are identical).</param>
    /// <param name="prompts">Prompts to continue, each starting with BOS; default: BOS alone.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or length is not positive.</exception>
    /// <exception cref="ArgumentException">A prompt is empty.</exception>
    public static IReadOnlyList<IReadOnlyList<int>> Generate(Llama model, int count, int length, int seed, float temperature = 1f, IReadOnlyList<IReadOnlyList<int>>? prompts = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (count <= 0 || length <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"SampledCorpus: count {count} and length {length} must be positive.");
        prompts ??= [[LlamaTokenizer.Bos]];
        if (prompts.Count == 0 || prompts.Any(p => p is null || p.Count == 0)) throw new ArgumentException("SampledCorpus: every prompt needs at least one token (BOS).", nameof(prompts));
        var generator = new LlamaGenerator(model);
        var options = new GenerationOptions { MaxNewTokens = length, Temperature = temperature, StopTokens = [] };
        var result = new IReadOnlyList<int>[count];
        for (int p = 0; p < Math.Min(prompts.Count, count); p++)
        {
            var members = Enumerable.Range(0, count).Where(i => i % prompts.Count == p).ToList();
            var continuations = generator.GenerateBatch([.. members.Select(_ => prompts[p])], options with { Seed = seed + p });
            for (int m = 0; m < members.Count; m++) result[members[m]] = [.. prompts[p], .. continuations[m]];
        }
        return result;
    }
}
