using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>Scores every attention head for a known attention behaviour, from its attention pattern.</summary>
/// <remarks>
/// For query position i and pattern A (rows sum to 1), averaged over the queries where the behaviour is defined:
/// previous-token <c>A[i, i−1]</c>; duplicate-token <c>Σ_{j&lt;i, t_j = t_i} A[i, j]</c>; induction
/// <c>Σ_{j&lt;i, t_j = t_i} A[i, j+1]</c> (attend to the token after the previous occurrence). The induction search
/// runs sequences <c>[BOS, r₁…r_n, r₁…r_n]</c> of uniformly random tokens, where only in-context copying lowers the
/// loss on the second copy. Olsson et al. 2022, In-context Learning and Induction Heads,
/// https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html.
/// </remarks>
/// <example><code>var prev = new HeadDetector(model).PreviousToken(tokens); var (layer, head, score) = prev.Best(1)[0];</code></example>
public sealed class HeadDetector
{
    private readonly Llama model;

    /// <summary>A detector over <paramref name="model"/>.</summary>
    public HeadDetector(Llama model)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
    }

    /// <summary>Previous-token score of every head on <paramref name="tokens"/>.</summary>
    public HeadScores PreviousToken(IReadOnlyList<int> tokens) =>
        Score("previous-token", [tokens], (seq, i) => i >= 1 ? [i - 1] : []);

    /// <summary>Duplicate-token score of every head on <paramref name="tokens"/>.</summary>
    public HeadScores DuplicateToken(IReadOnlyList<int> tokens) => Score("duplicate-token", [tokens], Duplicates);

    /// <summary>Induction score of every head on <paramref name="tokens"/>.</summary>
    public HeadScores Induction(IReadOnlyList<int> tokens) => Score("induction", [tokens], Inductions);

    /// <summary>Runs <paramref name="count"/> sequences of BOS plus <paramref name="length"/> random tokens repeated
    /// twice, and reports induction and duplicate scores and the loss on each copy.</summary>
    /// <param name="length">Tokens per copy.</param>
    /// <param name="count">Number of sequences (run as one batch).</param>
    /// <param name="seed">Seed for the random tokens.</param>
    /// <param name="candidates">Token ids to draw from (default: 3 … Vocab−1, skipping unknown/BOS/EOS); pass the
    /// ids of real words to stay in distribution (e.g. without llama2.c's byte-fallback pieces).</param>
    public InductionSearch SearchInduction(int length = 50, int count = 8, int seed = 0, IReadOnlyList<int>? candidates = null)
    {
        candidates ??= [.. Enumerable.Range(3, model.Config.VocabSize - 3)];
        if (candidates.Count < 2 || candidates.Any(c => (uint)c >= (uint)model.Config.VocabSize))
            throw new ArgumentException($"HeadDetector: candidates must hold at least 2 ids in 0..{model.Config.VocabSize - 1}.", nameof(candidates));
        if (length < 2 || 2 * length + 1 > model.Config.MaxSeqLen) throw new ArgumentOutOfRangeException(nameof(length), $"HeadDetector: length must be in 2..{(model.Config.MaxSeqLen - 1) / 2}, got {length}.");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"HeadDetector: count must be positive, got {count}.");
        var rng = new Random(seed);
        var sequences = new List<IReadOnlyList<int>>();
        for (int s = 0; s < count; s++)
        {
            var half = Enumerable.Range(0, length).Select(_ => candidates[rng.Next(candidates.Count)]).ToArray();
            sequences.Add([LlamaTokenizer.Bos, .. half, .. half]);
        }
        var (logits, patterns) = RunBatch(sequences);
        int t = 2 * length + 1, vocab = model.Config.VocabSize;
        var loss = new double[t - 1];
        var values = logits.AsReadOnlySpan();
        for (int s = 0; s < count; s++)
            for (int i = 0; i < t - 1; i++)
                loss[i] -= TokenSequence.LogSoftmaxAt(values.Slice((s * t + i) * vocab, vocab), sequences[s][i + 1]) / count;
        // loss[i] predicts token i+1: the first copy is tokens 1..n (i = 0..n−1), the second n+1..2n (i = n..2n−1);
        // the first token of each copy is unpredictable and is left out of both means.
        double first = loss.Skip(1).Take(length - 1).Average(), second = loss.Skip(length + 1).Average();
        return new InductionSearch(Aggregate("induction", sequences, patterns, Inductions), Aggregate("duplicate-token", sequences, patterns, Duplicates),
            first, second, loss, sequences);
    }

    private static IEnumerable<int> Duplicates(IReadOnlyList<int> seq, int i)
    {
        for (int j = 0; j < i; j++) if (seq[j] == seq[i]) yield return j;
    }

    private static IEnumerable<int> Inductions(IReadOnlyList<int> seq, int i)
    {
        for (int j = 0; j < i; j++) if (seq[j] == seq[i]) yield return j + 1;
    }

    private HeadScores Score(string kind, IReadOnlyList<IReadOnlyList<int>> sequences, Func<IReadOnlyList<int>, int, IEnumerable<int>> sources)
    {
        var (_, patterns) = RunBatch(sequences);
        return Aggregate(kind, sequences, patterns, sources);
    }

    private (Tensor Logits, Tensor[] Patterns) RunBatch(IReadOnlyList<IReadOnlyList<int>> sequences)
    {
        int t = sequences[0].Count;
        if (sequences.Any(s => s.Count != t)) throw new ArgumentException("HeadDetector: sequences in one batch must have the same length.", nameof(sequences));
        var ids = sequences.SelectMany(s => s.Select(x => (long)x)).ToArray();
        using var _ = GradMode.Off();
        var (logits, cache) = model.RunWithCache(Tensor.FromArray(ids, sequences.Count, t), n => n.EndsWith(".attn.pattern", StringComparison.Ordinal), detach: true);
        return (logits, [.. Enumerable.Range(0, model.Config.Layers).Select(l => cache[LlamaHookNames.Pattern(l)])]);
    }

    private HeadScores Aggregate(string kind, IReadOnlyList<IReadOnlyList<int>> sequences, Tensor[] patterns, Func<IReadOnlyList<int>, int, IEnumerable<int>> sources)
    {
        int layers = model.Config.Layers, heads = model.Config.Heads, t = sequences[0].Count;
        var scores = new float[layers * heads];
        for (int l = 0; l < layers; l++)
        {
            var p = patterns[l].AsReadOnlySpan();                        // [B, H, T, T]
            for (int h = 0; h < heads; h++)
            {
                double sum = 0;
                int queries = 0;
                for (int s = 0; s < sequences.Count; s++)
                    for (int i = 0; i < t; i++)
                    {
                        var from = sources(sequences[s], i).ToList();
                        if (from.Count == 0) continue;
                        int row = ((s * heads + h) * t + i) * t;
                        foreach (int j in from) sum += p[row + j];
                        queries++;
                    }
                scores[l * heads + h] = queries == 0 ? 0f : (float)(sum / queries);
            }
        }
        return new HeadScores(kind, layers, heads, scores);
    }
}
