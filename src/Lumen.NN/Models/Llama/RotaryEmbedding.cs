using Lumen.Tensors;

namespace Lumen.NN.Models.Llama;

/// <summary>Rotary position embeddings (RoPE) in the llama2.c convention: inside each head, the interleaved pair
/// (2i, 2i+1) is rotated by the angle <c>pos · θ^(−2i/d)</c>.</summary>
/// <remarks>
/// <c>y₂ᵢ = x₂ᵢ cos φ − x₂ᵢ₊₁ sin φ</c>, <c>y₂ᵢ₊₁ = x₂ᵢ sin φ + x₂ᵢ₊₁ cos φ</c> with <c>φ = pos · θ^(−2i/d)</c>.
/// The angles are computed in float32 exactly as llama2.c's <c>run.c</c> does. Built from differentiable ops, so
/// gradients flow through it. Su et al. 2021, RoFormer, https://arxiv.org/abs/2104.09864.
/// </remarks>
/// <example><code>var rope = new RotaryEmbedding(headDim: 8, maxPositions: 512); var qr = rope.Apply(q, start: 0); // q: [B, T, H, 8]</code></example>
public sealed class RotaryEmbedding
{
    private readonly Tensor cos, sin; // [maxPositions, headDim/2]

    /// <summary>Precomputes the cos/sin tables for <paramref name="maxPositions"/> positions.</summary>
    public RotaryEmbedding(int headDim, int maxPositions, float theta = 10000f)
    {
        if (headDim <= 0 || headDim % 2 != 0) throw new ArgumentOutOfRangeException(nameof(headDim), $"RotaryEmbedding: head size must be positive and even, got {headDim}.");
        if (maxPositions <= 0) throw new ArgumentOutOfRangeException(nameof(maxPositions), $"RotaryEmbedding: maxPositions must be positive, got {maxPositions}.");
        HeadDim = headDim;
        MaxPositions = maxPositions;
        int half = headDim / 2;
        var c = new float[maxPositions * half];
        var s = new float[maxPositions * half];
        for (int pos = 0; pos < maxPositions; pos++)
            for (int i = 0; i < half; i++)
            {
                float frequency = 1.0f / MathF.Pow(theta, 2 * i / (float)headDim);
                float angle = pos * frequency;
                c[pos * half + i] = MathF.Cos(angle);
                s[pos * half + i] = MathF.Sin(angle);
            }
        cos = Tensor.FromArray(c, maxPositions, half);
        sin = Tensor.FromArray(s, maxPositions, half);
    }

    /// <summary>Size of one head.</summary>
    public int HeadDim { get; }

    /// <summary>Number of positions in the tables.</summary>
    public int MaxPositions { get; }

    /// <summary>Rotates <paramref name="x"/> <c>[B, T, H, HeadDim]</c> whose first token sits at position <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentException">The shape is wrong or the positions run past <see cref="MaxPositions"/>.</exception>
    public Tensor Apply(Tensor x, int start)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4 || x.Shape[3] != HeadDim) throw new ArgumentException($"RotaryEmbedding: input {x.Shape} must be [B, T, H, {HeadDim}].", nameof(x));
        int b = x.Shape[0], t = x.Shape[1], h = x.Shape[2], half = HeadDim / 2;
        if (start < 0 || start + t > MaxPositions) throw new ArgumentException($"RotaryEmbedding: positions {start}..{start + t - 1} run outside 0..{MaxPositions - 1}.", nameof(start));
        var c = cos.Slice(0, start, start + t).Reshape(1, t, 1, half);   // [1, T, 1, d/2]
        var s = sin.Slice(0, start, start + t).Reshape(1, t, 1, half);
        var pairs = x.Reshape(b, t, h, half, 2);                        // [B, T, H, d/2, 2]
        var even = pairs.Slice(4, 0, 1).Reshape(b, t, h, half);
        var odd = pairs.Slice(4, 1, 2).Reshape(b, t, h, half);
        var rotatedEven = even * c - odd * s;
        var rotatedOdd = even * s + odd * c;
        return Tensor.Stack([rotatedEven, rotatedOdd], axis: 4).Reshape(b, t, h, HeadDim);
    }
}
