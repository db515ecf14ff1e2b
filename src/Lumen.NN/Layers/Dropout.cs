using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>In training mode zeroes each element with probability p and scales the rest by 1/(1−p) (inverted
/// dropout, Srivastava et al. 2014); the identity in evaluation mode. Seeded, so runs are reproducible.</summary>
public sealed class Dropout : Module, IStructural
{
    private readonly Random rng;

    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1).</exception>
    public Dropout(float p = 0.5f, int seed = 0)
    {
        if (p is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1), got {p}.");
        P = p;
        rng = new Random(seed);
    }

    /// <summary>The drop probability.</summary>
    public float P { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => Functional.Dropout(x, P, Training, rng);
}
