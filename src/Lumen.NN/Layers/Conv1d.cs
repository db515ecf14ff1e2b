using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>1-D convolution (cross-correlation) of [N, C, L] with weight [O, C/groups, k] and optional bias [O].</summary>
/// <remarks>Output length ⌊(L + pad_left + pad_right − dilation·(k − 1) − 1)/stride⌋ + 1. Initialised as in
/// PyTorch: W, b ~ U(±1/√(C/groups·k)).</remarks>
public sealed class Conv1d : Module, ILinearLike
{
    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentException">A size is not positive, the padding is negative, or the channels are not divisible by the groups.</exception>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true, Random? rng = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv1d: {inChannels} input and {outChannels} output channels must be positive and divisible by groups {groups}.", nameof(groups));
        if (kernelSize <= 0 || stride <= 0 || dilation <= 0 || padding < 0)
            throw new ArgumentException($"Conv1d: kernel {kernelSize}, stride {stride} and dilation {dilation} must be positive and padding {padding} non-negative.", nameof(kernelSize));
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        var weightShape = new Shape(outChannels, inChannels / groups, kernelSize);
        Weight = RegisterParameter("weight", Init.DefaultWeight(weightShape, rng));
        Bias = bias ? RegisterParameter("bias", Init.DefaultBias(outChannels, Init.Fans(weightShape).FanIn, rng)) : null;
    }

    /// <summary>C.</summary>
    public int InChannels { get; }

    /// <summary>O.</summary>
    public int OutChannels { get; }

    /// <summary>k.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on each end.</summary>
    public int Padding { get; }

    /// <summary>Spacing of kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <summary>[O, C/groups, k].</summary>
    public Parameter Weight { get; }

    /// <summary>[O], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Apply(x, Weight.Value, Bias?.Value);
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Conv1d(weight, bias, Stride, Padding, Dilation, Groups); // [N, O, L']
    }
}
