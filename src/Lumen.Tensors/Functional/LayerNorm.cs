namespace Lumen.Tensors;

public static partial class Functional
{
    /// <summary>Layer normalisation over the last <paramref name="normalizedRank"/> dimensions
    /// (<see href="https://arxiv.org/abs/1607.06450">Ba et al.</see>).</summary>
    /// <remarks>y = (x − E[x]) / √(Var[x] + ε) · weight + bias, with the population variance; weight and bias have
    /// the normalised (trailing) shape.</remarks>
    /// <example><code>Functional.LayerNorm(x, 1, gamma, beta) // x [B, T, D], gamma/beta [D]</code></example>
    public static Tensor LayerNorm(Tensor x, int normalizedRank = 1, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (normalizedRank < 1 || normalizedRank > x.Rank)
            throw new ArgumentOutOfRangeException(nameof(normalizedRank), $"LayerNorm: normalizedRank {normalizedRank} must be in [1, {x.Rank}] for input {x.Shape}.");
        var axes = Enumerable.Range(x.Rank - normalizedRank, normalizedRank).ToArray();
        var normalized = new Shape(x.Shape.Dims[(x.Rank - normalizedRank)..].ToArray());
        CheckParameter("LayerNorm", "weight", weight, normalized, x.Shape);
        CheckParameter("LayerNorm", "bias", bias, normalized, x.Shape);
        return Affine(Standardize(x, axes, eps), weight, bias);
    }

    /// <summary>Layer normalisation over arbitrary <paramref name="axes"/>; weight and bias must broadcast against x.</summary>
    public static Tensor LayerNorm(Tensor x, int[] axes, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length == 0) throw new ArgumentException($"LayerNorm: no axes given for input {x.Shape}.");
        return Affine(Standardize(x, axes, eps), weight, bias);
    }

    /// <summary>(x − mean) / √(var + ε) over <paramref name="axes"/> (population variance).</summary>
    internal static Tensor Standardize(Tensor x, int[] axes, float eps)
    {
        var centered = x - x.Mean(axes, keepDims: true);
        var variance = (centered * centered).Mean(axes, keepDims: true);
        return centered * (variance + eps).Rsqrt();
    }

    /// <summary>x·weight + bias, each optional.</summary>
    internal static Tensor Affine(Tensor x, Tensor? weight, Tensor? bias)
    {
        if (weight is not null) x *= weight;
        if (bias is not null) x += bias;
        return x;
    }

    /// <summary>Throws unless an optional parameter has exactly the expected shape.</summary>
    internal static void CheckParameter(string op, string name, Tensor? parameter, Shape expected, Shape input)
    {
        if (parameter is not null && parameter.Shape != expected)
            throw new ArgumentException($"{op}: {name} has shape {parameter.Shape} but input {input} needs {expected}.");
    }
}
