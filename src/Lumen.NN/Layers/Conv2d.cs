using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>2-D convolution (cross-correlation) of [N, C, H, W] with weight [O, C/groups, kh, kw] and optional bias [O].</summary>
/// <remarks>Output size per axis: ⌊(in + pad_begin + pad_end − dilation·(k − 1) − 1)/stride⌋ + 1.
/// Initialised as in PyTorch: W, b ~ U(±1/√(C/groups·kh·kw)).</remarks>
public sealed class Conv2d : Module, ILinearLike, ISpatiallyLocal
{
    /// <summary>Creates a layer with square kernel, stride, symmetric padding and dilation.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true, Random? rng = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding, padding, padding), (dilation, dilation), groups, bias, rng)
    {
    }

    /// <summary>Creates a layer with full control of every axis.</summary>
    /// <exception cref="ArgumentException">A size is not positive, or the channels are not divisible by the groups.</exception>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding, (int H, int W) dilation, int groups = 1, bool bias = true, Random? rng = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: {inChannels} input and {outChannels} output channels must be positive and divisible by groups {groups}.", nameof(groups));
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0 || padding.Top < 0 || padding.Left < 0 || padding.Bottom < 0 || padding.Right < 0)
            throw new ArgumentException($"Conv2d: kernel {kernelSize}, stride {stride} and dilation {dilation} must be positive and padding {padding} non-negative.", nameof(kernelSize));
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        var weightShape = new Shape(outChannels, inChannels / groups, kernelSize.H, kernelSize.W);
        Weight = RegisterParameter("weight", Init.DefaultWeight(weightShape, rng));
        Bias = bias ? RegisterParameter("bias", Init.DefaultBias(outChannels, Init.Fans(weightShape).FanIn, rng)) : null;
    }

    /// <summary>C.</summary>
    public int InChannels { get; }

    /// <summary>O.</summary>
    public int OutChannels { get; }

    /// <summary>(kh, kw).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>(sh, sw).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zero padding (top, left, bottom, right).</summary>
    public (int Top, int Left, int Bottom, int Right) Padding { get; }

    /// <summary>(dh, dw).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <summary>[O, C/groups, kh, kw].</summary>
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
    public SpatialWindow? WindowFor(IReadOnlyList<Shape> inputs) =>
        SpatialWindow.Kernel(KernelSize, Stride, (Padding.Top, Padding.Left), Dilation);

    /// <inheritdoc/>
    public Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Conv2d(weight, bias, Stride, Padding, Dilation, Groups); // [N, O, H', W']
    }
}
