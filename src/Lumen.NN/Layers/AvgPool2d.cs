using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Average pooling of [N, C, H, W] over kernel windows (stride defaults to the kernel size).</summary>
public sealed class AvgPool2d : Module, IPooling, IAffine
{
    /// <summary>Creates a layer with square windows and symmetric padding.</summary>
    /// <exception cref="ArgumentException">A size is not positive or the padding is negative.</exception>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        if (kernelSize <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException($"AvgPool2d: kernel {kernelSize} and stride {stride} must be positive and padding {padding} non-negative.", nameof(kernelSize));
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Round the output size up instead of down.</summary>
    public bool CeilMode { get; }

    /// <summary>Divide by the full window size, padding included (PyTorch's default).</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.AvgPool2d((KernelSize, KernelSize), (Stride, Stride), (Padding, Padding, Padding, Padding), CeilMode, CountIncludePad);
    }
}
