using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.NN.Models.Llama;

/// <summary>Greedy or sampled autoregressive generation with a KV cache. Hooks registered on the model run on
/// every step, so steering and ablation apply during generation.</summary>
/// <remarks>With the cache the prompt is run once (prefill) and each new token once, at its position; without it the
/// whole sequence is re-run per token. Both give the same logits up to float rounding.</remarks>
/// <example><code>var tokens = new LlamaGenerator(model).Generate([LlamaTokenizer.Bos], new() { MaxNewTokens = 200 });</code></example>
public sealed class LlamaGenerator
{
    private readonly Llama model;

    /// <summary>A generator over <paramref name="model"/>.</summary>
    public LlamaGenerator(Llama model)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
    }

    /// <summary>The new tokens that continue <paramref name="prompt"/> (at least one token).</summary>
    /// <exception cref="ArgumentException">The prompt is empty, holds an id outside the vocabulary, or prompt plus
    /// new tokens exceed the model's maximum sequence length; an option is out of range.</exception>
    public IReadOnlyList<int> Generate(IReadOnlyList<int> prompt, GenerationOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= new GenerationOptions();
        Validate(prompt, options);
        var rng = new Random(options.Seed);
        var generated = new List<int>();
        var sequence = new List<int>(prompt);
        var cache = options.UseKvCache ? new LlamaKvCache(model.Config.Layers) : null;
        using var noGrad = GradMode.Off();
        var pending = prompt.ToList();
        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var input = cache is null ? sequence : pending;
            var tokens = Tensor.FromArray(input.Select(t => (long)t).ToArray(), 1, input.Count);
            var logits = cache is null ? model.Call(tokens) : model.Forward(tokens, cache); // [1, T, V]
            int vocab = model.Config.VocabSize;
            var last = logits.AsReadOnlySpan().Slice((input.Count - 1) * vocab, vocab);
            int next = Sample(last, options, rng);
            if (options.StopTokens.Contains(next)) break;
            generated.Add(next);
            sequence.Add(next);
            pending = [next];
        }
        return generated;
    }

    /// <summary>Continues several prompts of equal length at once (one batched forward pass per step, with a
    /// batched KV cache); each sequence ends at its first stop token. Sampling draws from one generator seeded with
    /// <see cref="GenerationOptions.Seed"/>, sequence by sequence within a step.</summary>
    /// <exception cref="ArgumentException">The prompts differ in length or are otherwise invalid.</exception>
    public IReadOnlyList<IReadOnlyList<int>> GenerateBatch(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        options ??= new GenerationOptions();
        if (prompts.Count == 0) throw new ArgumentException("LlamaGenerator: no prompts.", nameof(prompts));
        int length = prompts[0].Count, b = prompts.Count, vocab = model.Config.VocabSize;
        if (prompts.Any(p => p.Count != length)) throw new ArgumentException("LlamaGenerator: batched prompts must have the same number of tokens.", nameof(prompts));
        foreach (var prompt in prompts) Validate(prompt, options);
        var rng = new Random(options.Seed);
        var generated = prompts.Select(_ => new List<int>()).ToArray();
        var finished = new bool[b];
        var cache = new LlamaKvCache(model.Config.Layers);
        using var noGrad = GradMode.Off();
        var pending = prompts.SelectMany(p => p.Select(t => (long)t)).ToArray();
        int width = length;
        for (int step = 0; step < options.MaxNewTokens && !finished.All(f => f); step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var logits = model.Forward(Tensor.FromArray(pending, b, width), cache).AsReadOnlySpan(); // [B, width, V]
            var next = new long[b];
            for (int s = 0; s < b; s++)
            {
                int token = Sample(logits.Slice(((s + 1) * width - 1) * vocab, vocab), options, rng);
                next[s] = token;
                if (finished[s]) continue;
                if (options.StopTokens.Contains(token)) finished[s] = true;
                else generated[s].Add(token);
            }
            pending = next;
            width = 1;
        }
        return generated;
    }

    /// <summary>Picks the next token from one row of logits.</summary>
    public static int Sample(ReadOnlySpan<float> logits, GenerationOptions options, Random rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        if (options.Temperature == 0f) return ArgMax(logits);
        var probabilities = new double[logits.Length];
        float max = float.NegativeInfinity;
        foreach (float l in logits) max = Math.Max(max, l);
        double total = 0;
        for (int i = 0; i < logits.Length; i++) total += probabilities[i] = Math.Exp((logits[i] - max) / options.Temperature);
        var order = Enumerable.Range(0, logits.Length).ToArray();
        int kept = order.Length;
        if (options.TopP < 1f)
        {
            Array.Sort(order, (a, b) => probabilities[b].CompareTo(probabilities[a]));
            double mass = 0;
            for (kept = 0; kept < order.Length && mass < options.TopP * total; kept++) mass += probabilities[order[kept]];
            total = mass;
        }
        double u = rng.NextDouble() * total, cumulative = 0;
        for (int i = 0; i < kept; i++)
        {
            cumulative += probabilities[order[i]];
            if (u < cumulative) return order[i];
        }
        return order[kept - 1];
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private void Validate(IReadOnlyList<int> prompt, GenerationOptions options)
    {
        if (prompt.Count == 0) throw new ArgumentException("LlamaGenerator: the prompt is empty; start it with BOS (1).", nameof(prompt));
        foreach (int t in prompt)
            if ((uint)t >= (uint)model.Config.VocabSize) throw new ArgumentException($"LlamaGenerator: prompt token {t} is outside 0..{model.Config.VocabSize - 1}.", nameof(prompt));
        if (options.MaxNewTokens < 0) throw new ArgumentException($"LlamaGenerator: MaxNewTokens must be ≥ 0, got {options.MaxNewTokens}.", nameof(options));
        if (prompt.Count + options.MaxNewTokens > model.Config.MaxSeqLen + 1)
            throw new ArgumentException($"LlamaGenerator: prompt ({prompt.Count}) + new tokens ({options.MaxNewTokens}) exceed the maximum sequence length {model.Config.MaxSeqLen}.", nameof(options));
        if (options.Temperature < 0 || float.IsNaN(options.Temperature)) throw new ArgumentException($"LlamaGenerator: temperature must be ≥ 0, got {options.Temperature}.", nameof(options));
        if (!(options.TopP > 0f && options.TopP <= 1f)) throw new ArgumentException($"LlamaGenerator: TopP must be in (0, 1], got {options.TopP}.", nameof(options));
    }
}
