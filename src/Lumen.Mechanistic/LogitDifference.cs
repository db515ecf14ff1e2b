using Lumen.Tensors;

namespace Lumen.Mechanistic;

/// <summary>The patching metric <c>logit[Answer] − logit[Wrong]</c> at one position (the last by default), as a
/// number and as a differentiable scalar for gradient-based estimates.</summary>
/// <example><code>var metric = new LogitDifference(Answer: 263, Wrong: 301);</code></example>
/// <param name="Answer">Token the clean prompt should predict.</param>
/// <param name="Wrong">Token the corrupted prompt should predict.</param>
/// <param name="Position">Position to read (negative counts from the end).</param>
public sealed record LogitDifference(int Answer, int Wrong, int Position = -1)
{
    /// <summary>The metric on logits <c>[1, T, V]</c> as a differentiable scalar tensor.</summary>
    /// <exception cref="ArgumentException">The logits are not <c>[1, T, V]</c> or a token or position is out of range.</exception>
    public Tensor Of(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 3 || logits.Shape[0] != 1) throw new ArgumentException($"LogitDifference: logits must be [1, T, V], got {logits.Shape}.", nameof(logits));
        int t = logits.Shape[1], v = logits.Shape[2], p = Position < 0 ? t + Position : Position;
        if ((uint)p >= (uint)t) throw new ArgumentException($"LogitDifference: position {Position} is outside a sequence of {t}.", nameof(logits));
        if ((uint)Answer >= (uint)v || (uint)Wrong >= (uint)v) throw new ArgumentException($"LogitDifference: tokens {Answer}, {Wrong} must lie in 0..{v - 1}.", nameof(logits));
        var row = logits.Slice(1, p, p + 1).Reshape(v);
        return row.Slice(0, Answer, Answer + 1).Sum() - row.Slice(0, Wrong, Wrong + 1).Sum();
    }

    /// <summary>The metric's value.</summary>
    public double Evaluate(Tensor logits) => Of(logits).Detach().Item();
}
