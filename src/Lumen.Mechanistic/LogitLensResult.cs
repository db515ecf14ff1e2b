using Lumen.Tensors;

namespace Lumen.Mechanistic;

/// <summary>What the logit lens read at each layer and position.</summary>
/// <param name="Layers">Row labels: "embed", "block 0", ….</param>
/// <param name="Tokens">The input tokens.</param>
/// <param name="LogProbabilities">Log-probabilities <c>[Layers, T, Vocab]</c>.</param>
public sealed record LogitLensResult(IReadOnlyList<string> Layers, IReadOnlyList<int> Tokens, Tensor LogProbabilities)
{
    /// <summary>The <paramref name="k"/> most likely tokens at a layer and position, with their probabilities.</summary>
    public IReadOnlyList<(int Token, double Probability)> Top(int layer, int position, int k)
    {
        var row = Row(layer, position);
        return [.. Enumerable.Range(0, row.Length).OrderByDescending(i => row[i]).Take(k).Select(i => (i, Math.Exp(row[i])))];
    }

    /// <summary>Probability of <paramref name="token"/> at a layer and position.</summary>
    public double Probability(int layer, int position, int token) => Math.Exp(Row(layer, position)[token]);

    /// <summary>Rank (0 = most likely) of <paramref name="token"/> at a layer and position.</summary>
    public int Rank(int layer, int position, int token)
    {
        var row = Row(layer, position);
        return row.Count(v => v > row[token]);
    }

    /// <summary>Per layer and position, the probability of the token that actually comes next (NaN at the last
    /// position): <c>[Layers × T]</c>, row-major.</summary>
    public float[] NextTokenProbabilities()
    {
        int t = Tokens.Count;
        var result = new float[Layers.Count * t];
        for (int l = 0; l < Layers.Count; l++)
            for (int p = 0; p < t; p++) result[l * t + p] = p + 1 < t ? (float)Probability(l, p, Tokens[p + 1]) : float.NaN;
        return result;
    }

    private float[] Row(int layer, int position)
    {
        if ((uint)layer >= (uint)Layers.Count) throw new ArgumentOutOfRangeException(nameof(layer), $"LogitLensResult: layer {layer} is outside 0..{Layers.Count - 1}.");
        if ((uint)position >= (uint)Tokens.Count) throw new ArgumentOutOfRangeException(nameof(position), $"LogitLensResult: position {position} is outside 0..{Tokens.Count - 1}.");
        int vocab = LogProbabilities.Shape[2];
        return LogProbabilities.AsReadOnlySpan().Slice((layer * Tokens.Count + position) * vocab, vocab).ToArray();
    }
}
