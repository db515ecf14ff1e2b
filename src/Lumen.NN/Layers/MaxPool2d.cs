using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Max pooling of [N, C, H, W] over kernel windows (stride defaults to the kernel size).</summary>
public sealed class MaxPool2d : Module, IMaxPooling, ISpatiallyLocal
{
    /// <summary>Creates a layer with square windows and symmetric padding.</summary>
    /// <exception cref="ArgumentException">A size is not positive or the padding is negative.</exception>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        if (kernelSize <= 0 || stride <= 0 || padding < 0 || dilation <= 0)
            throw new ArgumentException($"MaxPool2d: kernel {kernelSize}, stride {stride} and dilation {dilation} must be positive and padding {padding} non-negative.", nameof(kernelSize));
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        Dilation = dilation;
        CeilMode = ceilMode;
    }

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit −∞ padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Spacing of window taps.</summary>
    public int Dilation { get; }

    /// <summary>Round the output size up instead of down.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.MaxPool2d((KernelSize, KernelSize), (Stride, Stride), (Padding, Padding, Padding, Padding), (Dilation, Dilation), CeilMode);
    }

    /// <inheritdoc/>
    public SpatialWindow? WindowFor(IReadOnlyList<Shape> inputs) =>
        SpatialWindow.Kernel((KernelSize, KernelSize), (Stride, Stride), (Padding, Padding), (Dilation, Dilation), float.NegativeInfinity);
}
