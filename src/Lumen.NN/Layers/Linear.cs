using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>y = x·Wᵀ + b over the last axis; W is [out, in] (PyTorch layout).</summary>
/// <remarks>Initialised as in PyTorch: W, b ~ U(±1/√in).</remarks>
public sealed class Linear : Module, ILinearLike
{
    /// <summary>Creates a layer mapping <paramref name="inFeatures"/> to <paramref name="outFeatures"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Random? rng = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear: features must be positive, got in {inFeatures}, out {outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.DefaultWeight(new Shape(outFeatures, inFeatures), rng));
        Bias = bias ? RegisterParameter("bias", Init.DefaultBias(outFeatures, inFeatures, rng)) : null;
    }

    /// <summary>Input size (last axis).</summary>
    public int InFeatures { get; }

    /// <summary>Output size (last axis).</summary>
    public int OutFeatures { get; }

    /// <summary>[out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>[out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0 || x.Shape[-1] != InFeatures)
            throw new ArgumentException($"{Describe()}: input {x.Shape} must end in {InFeatures} features.", nameof(x));
        return Apply(x, Weight.Value, Bias?.Value);
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var y = input.MatMul(weight.Transpose(0, 1)); // [.., in]·[in, out] → [.., out]
        return bias is null ? y : y + bias;
    }
}
