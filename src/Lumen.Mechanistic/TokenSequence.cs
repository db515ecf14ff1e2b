using Lumen.NN.Models.Llama;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Mechanistic;

/// <summary>Token-level helpers shared by the tools: id lists as model input, and the log-probability a model gives
/// each actual next token.</summary>
/// <remarks><c>logp_i = log softmax(logits_i)[t_{i+1}]</c> for i = 0 … T−2; the language-modelling loss is
/// <c>−mean_i logp_i</c>.</remarks>
/// <example><code>var logp = TokenSequence.NextTokenLogProbabilities(model, ids); double loss = -logp.Average();</code></example>
public static class TokenSequence
{
    /// <summary>Ids as an Int64 tensor <c>[1, T]</c>.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public static Tensor ToTensor(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0) throw new ArgumentException("TokenSequence: the token list is empty.", nameof(tokens));
        return Tensor.FromArray(tokens.Select(t => (long)t).ToArray(), 1, tokens.Count);
    }

    /// <summary>Runs the model (hooks included, no gradients) and returns the log-probability of each next token.</summary>
    public static float[] NextTokenLogProbabilities(Llama model, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var _ = GradMode.Off();
        return NextTokenLogProbabilities(model.Call(ToTensor(tokens)), tokens);
    }

    /// <summary>The log-probability of each next token under logits <c>[1, T, V]</c> of <paramref name="tokens"/>.</summary>
    /// <exception cref="ArgumentException">The logits do not match the tokens.</exception>
    public static float[] NextTokenLogProbabilities(Tensor logits, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(tokens);
        if (logits.Rank != 3 || logits.Shape[0] != 1 || logits.Shape[1] != tokens.Count)
            throw new ArgumentException($"TokenSequence: logits {logits.Shape} do not match {tokens.Count} tokens.", nameof(logits));
        int vocab = logits.Shape[2];
        var values = logits.Detach().AsReadOnlySpan();
        var result = new float[tokens.Count - 1];
        for (int i = 0; i < result.Length; i++) result[i] = LogSoftmaxAt(values.Slice(i * vocab, vocab), tokens[i + 1]);
        return result;
    }

    /// <summary><c>log softmax(row)[index]</c>, computed in double.</summary>
    public static float LogSoftmaxAt(ReadOnlySpan<float> row, int index)
    {
        if ((uint)index >= (uint)row.Length) throw new ArgumentOutOfRangeException(nameof(index), $"TokenSequence: token {index} is outside 0..{row.Length - 1}.");
        float max = float.NegativeInfinity;
        foreach (float v in row) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in row) sum += Math.Exp(v - max);
        return (float)(row[index] - max - Math.Log(sum));
    }
}
