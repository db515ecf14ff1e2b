using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Transposed 2-D convolution of [N, C, H, W] with weight [C, O/groups, kh, kw] and optional bias [O]:
/// the adjoint of <see cref="Conv2d"/>, used for upsampling.</summary>
/// <remarks>H' = (H − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1. Initialised as in PyTorch,
/// with fan_in = (O/groups)·kh·kw (the weight's second axis).</remarks>
public sealed class ConvTranspose2d : Module, ILinearLike
{
    /// <summary>Creates the layer with square kernel, stride, symmetric padding, output padding and dilation.</summary>
    /// <exception cref="ArgumentException">A size is not positive, padding is negative, output padding is not below the
    /// stride, or the channels are not divisible by the groups.</exception>
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int dilation = 1, int groups = 1, bool bias = true, Random? rng = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"ConvTranspose2d: {inChannels} input and {outChannels} output channels must be positive and divisible by groups {groups}.", nameof(groups));
        if (kernelSize <= 0 || stride <= 0 || dilation <= 0 || padding < 0 || outputPadding < 0 || outputPadding >= stride)
            throw new ArgumentException($"ConvTranspose2d: kernel {kernelSize}, stride {stride} and dilation {dilation} must be positive, padding {padding} non-negative and output padding {outputPadding} below the stride.", nameof(kernelSize));
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        Dilation = dilation;
        Groups = groups;
        var weightShape = new Shape(inChannels, outChannels / groups, kernelSize, kernelSize);
        Weight = RegisterParameter("weight", Init.DefaultWeight(weightShape, rng));
        Bias = bias ? RegisterParameter("bias", Init.DefaultBias(outChannels, Init.Fans(weightShape).FanIn, rng)) : null;
    }

    /// <summary>C.</summary>
    public int InChannels { get; }

    /// <summary>O.</summary>
    public int OutChannels { get; }

    /// <summary>k (square).</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding removed from each side of the full output.</summary>
    public int Padding { get; }

    /// <summary>Extra rows/columns added at the bottom/right.</summary>
    public int OutputPadding { get; }

    /// <summary>Spacing of kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <summary>[C, O/groups, k, k].</summary>
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
        return input.ConvTranspose2d(weight, bias, Stride, Padding, OutputPadding, Dilation, Groups); // [N, O, H', W']
    }
}
