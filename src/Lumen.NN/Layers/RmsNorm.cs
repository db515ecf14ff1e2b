using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Root-mean-square normalisation over the last axis (Zhang &amp; Sennrich 2019,
/// https://arxiv.org/abs/1910.07467): y = x/√(mean(x²) + ε)·γ.</summary>
public sealed class RmsNorm : Module, INormalization
{
    /// <summary>Creates the layer over a last axis of size <paramref name="features"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive.</exception>
    public RmsNorm(int features, float eps = 1e-6f, bool elementwiseAffine = true)
    {
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), $"RmsNorm: features must be positive, got {features}.");
        Features = features;
        Eps = eps;
        Weight = elementwiseAffine ? RegisterParameter("weight", Tensor.Ones(features)) : null;
    }

    /// <summary>Size of the normalised last axis.</summary>
    public int Features { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>γ, or null.</summary>
    public Parameter? Weight { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0 || x.Shape[-1] != Features)
            throw new ArgumentException($"{Describe()}: input {x.Shape} must end in {Features}.", nameof(x));
        return Functional.RmsNorm(x, Weight?.Value, Eps);
    }
}
