using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Group normalisation of [N, C, …] (Wu &amp; He 2018, https://arxiv.org/abs/1803.08494): channels are
/// split into G groups, each normalised over its channels and spatial positions, then scaled per channel.</summary>
public sealed class GroupNorm : Module, INormalization
{
    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentException">The channels are not divisible by the groups.</exception>
    public GroupNorm(int numGroups, int numChannels, float eps = 1e-5f, bool affine = true)
    {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: {numChannels} channels cannot be split into {numGroups} groups.", nameof(numGroups));
        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        Weight = affine ? RegisterParameter("weight", Tensor.Ones(numChannels)) : null;
        Bias = affine ? RegisterParameter("bias", Tensor.Zeros(numChannels)) : null;
    }

    /// <summary>G.</summary>
    public int NumGroups { get; }

    /// <summary>C.</summary>
    public int NumChannels { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>γ [C], or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>β [C], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2 || x.Shape[1] != NumChannels)
            throw new ArgumentException($"{Describe()}: input {x.Shape} must be [N, {NumChannels}, …].", nameof(x));
        return Functional.GroupNorm(x, NumGroups, Weight?.Value, Bias?.Value, Eps);
    }
}
