using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>What the tuned lens trains and is evaluated on: the residual stream of every layer at positions 1… of
/// some token sequences (BOS, an outlier, is left out, as for the sparse autoencoders) and the token that comes next.
/// The model's final distribution is decoded from the last residual stream when a batch asks for it, so memory
/// grows with the model width, not with its vocabulary.</summary>
internal sealed class LensSamples
{
    private readonly LogitLens decoder;

    private LensSamples(LogitLens decoder, IReadOnlyList<Tensor> residuals, int[] nextTokens)
    {
        this.decoder = decoder;
        Residuals = residuals;
        NextTokens = nextTokens;
    }

    /// <summary>Per layer (embed, block 0, …), the residual streams <c>[N, Dim]</c>.</summary>
    public IReadOnlyList<Tensor> Residuals { get; }

    /// <summary>Per row, the next token in its sequence, or −1 at a sequence's last position.</summary>
    public int[] NextTokens { get; }

    /// <summary>Number of rows N.</summary>
    public int Count => NextTokens.Length;

    /// <summary>Runs the model on every sequence of at least two tokens and keeps positions 1….</summary>
    /// <exception cref="ArgumentException">No sequence has two tokens.</exception>
    public static LensSamples Collect(Llama model, IReadOnlyList<IReadOnlyList<int>> sequences)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        var hooks = LogitLens.ResidualHooks(model.Config);
        var wanted = hooks.ToHashSet(StringComparer.Ordinal);
        var perLayer = hooks.Select(_ => new List<Tensor>()).ToArray();
        var next = new List<int>();
        using var _ = GradMode.Off();
        foreach (var sequence in sequences)
        {
            int t = sequence.Count;
            if (t < 2) continue;
            var (_, cache) = model.RunWithCache(TokenSequence.ToTensor(sequence), wanted.Contains, detach: true);
            for (int l = 0; l < hooks.Count; l++) perLayer[l].Add(cache[hooks[l]].Reshape(t, model.Config.Dim).Slice(0, 1, t)); // [T−1, Dim]
            for (int p = 1; p < t; p++) next.Add(p + 1 < t ? sequence[p + 1] : -1);
        }
        if (next.Count == 0) throw new ArgumentException("TunedLens: no sequence has two tokens; positions 1… of each sequence are used.", nameof(sequences));
        return new LensSamples(new LogitLens(model), [.. perLayer.Select(rows => Tensor.Concat(rows, axis: 0))], [.. next]);
    }

    /// <summary>The model's own log-probabilities <c>[N, Vocab]</c> (the last layer decoded), without gradient.</summary>
    public Tensor Final()
    {
        using var _ = GradMode.Off();
        return decoder.Decode(Residuals[^1]);
    }

    /// <summary>The rows at <paramref name="index"/>.</summary>
    public LensSamples Rows(long[] index)
    {
        var selector = Tensor.FromArray(index, index.Length);
        return new LensSamples(decoder, [.. Residuals.Select(r => r.IndexSelect(0, selector))], [.. index.Select(i => NextTokens[i])]);
    }

    /// <summary>Consecutive pieces of at most <paramref name="size"/> rows.</summary>
    public IEnumerable<LensSamples> Chunks(int size)
    {
        for (int from = 0; from < Count; from += size)
        {
            int to = Math.Min(Count, from + size);
            yield return new LensSamples(decoder, [.. Residuals.Select(r => r.Slice(0, from, to))], NextTokens[from..to]);
        }
    }

    /// <summary>Sum and count of the next-token cross-entropy (nats) under log-probabilities <c>[N, Vocab]</c>, over rows that have a next token.</summary>
    public (double Sum, int Count) CrossEntropy(Tensor logProbabilities)
    {
        var values = logProbabilities.AsReadOnlySpan();
        int vocab = logProbabilities.Shape[-1], count = 0;
        double sum = 0;
        for (int i = 0; i < NextTokens.Length; i++)
        {
            if (NextTokens[i] < 0) continue;
            sum -= values[i * vocab + NextTokens[i]];
            count++;
        }
        return (sum, count);
    }
}
