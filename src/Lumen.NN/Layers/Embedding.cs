using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>A lookup table: Int64 indices of any shape → rows of weight [count, dim], giving [.., dim].</summary>
/// <remarks>Initialised N(0, 1) as in PyTorch. The gradient scatters into the selected rows.</remarks>
public sealed class Embedding : Module
{
    /// <summary>Creates a table of <paramref name="count"/> vectors of size <paramref name="dimension"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Embedding(int count, int dimension, Random? rng = null)
    {
        if (count <= 0 || dimension <= 0)
            throw new ArgumentOutOfRangeException(nameof(count), $"Embedding: count {count} and dimension {dimension} must be positive.");
        Count = count;
        Dimension = dimension;
        Weight = RegisterParameter("weight", Init.Normal(new Shape(count, dimension), 1f, rng));
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>Row size.</summary>
    public int Dimension { get; }

    /// <summary>[count, dim].</summary>
    public Parameter Weight { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.DType != DType.Int64) throw new ArgumentException($"{Describe()}: indices must be Int64, got {x.DType} of shape {x.Shape}.", nameof(x));
        return Weight.Value.IndexSelect(0, x); // [.., dim]
    }
}
