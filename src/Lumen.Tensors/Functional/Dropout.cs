namespace Lumen.Tensors;

public static partial class Functional
{
    /// <summary>Inverted dropout (<see href="https://jmlr.org/papers/v15/srivastava14a.html">Srivastava et al.</see>):
    /// in training each element is zeroed with probability <paramref name="p"/> and the survivors scaled by 1/(1 − p);
    /// otherwise x is returned unchanged.</summary>
    /// <remarks>y = x·m/(1 − p), m ~ Bernoulli(1 − p), drawn from <paramref name="rng"/> (deterministic per seed).</remarks>
    public static Tensor Dropout(Tensor x, float p, bool training, Random rng)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1], got {p} (input {x.Shape}).");
        if (!training || p == 0f) return x;
        var mask = new float[x.Size];
        float scale = p == 1f ? 0f : 1f / (1f - p);
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() >= p ? scale : 0f;
        return x * Tensor.FromArray(mask).Reshape(x.Shape.ToArray());
    }
}
