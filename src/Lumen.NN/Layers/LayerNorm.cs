using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Layer normalisation over the trailing <c>normalizedShape</c> axes (Ba et al. 2016,
/// https://arxiv.org/abs/1607.06450): y = (x − μ)/√(σ² + ε)·γ + β with μ, σ² over those axes.</summary>
public sealed class LayerNorm : Module, INormalization
{
    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentException">The shape is empty or has a non-positive size.</exception>
    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm: normalizedShape [{string.Join(", ", normalizedShape)}] must be non-empty and positive.", nameof(normalizedShape));
        NormalizedShape = new Shape(normalizedShape);
        Eps = eps;
        Weight = elementwiseAffine ? RegisterParameter("weight", Tensor.Ones(NormalizedShape)) : null;
        Bias = elementwiseAffine ? RegisterParameter("bias", Tensor.Zeros(NormalizedShape)) : null;
    }

    /// <summary>Creates the layer over the last axis of size <paramref name="features"/>.</summary>
    public LayerNorm(int features, float eps = 1e-5f, bool elementwiseAffine = true) : this([features], eps, elementwiseAffine)
    {
    }

    /// <summary>The trailing shape normalised over.</summary>
    public Shape NormalizedShape { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>γ, or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>β, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = NormalizedShape.Rank;
        if (x.Rank < rank || !x.Shape.Dims[^rank..].SequenceEqual(NormalizedShape.Dims))
            throw new ArgumentException($"{Describe()}: input {x.Shape} must end in {NormalizedShape}.", nameof(x));
        return Functional.LayerNorm(x, rank, Weight?.Value, Bias?.Value, Eps);
    }
}
