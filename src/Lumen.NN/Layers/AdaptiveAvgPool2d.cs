using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Average pooling of [N, C, H, W] to a fixed output size (PyTorch's bins: output i averages input
/// rows ⌊i·H/out⌋ … ⌈(i+1)·H/out⌉ − 1).</summary>
public sealed class AdaptiveAvgPool2d : Module, IPooling, IAffine
{
    /// <summary>Creates a layer producing [N, C, outputHeight, outputWidth].</summary>
    /// <exception cref="ArgumentOutOfRangeException">An output size is not positive.</exception>
    public AdaptiveAvgPool2d(int outputHeight, int outputWidth)
    {
        if (outputHeight <= 0 || outputWidth <= 0)
            throw new ArgumentOutOfRangeException(nameof(outputHeight), $"AdaptiveAvgPool2d: output size ({outputHeight}, {outputWidth}) must be positive.");
        OutputSize = (outputHeight, outputWidth);
    }

    /// <summary>Creates a layer producing a square output.</summary>
    public AdaptiveAvgPool2d(int outputSize) : this(outputSize, outputSize)
    {
    }

    /// <summary>(out H, out W).</summary>
    public (int H, int W) OutputSize { get; }

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.AdaptiveAvgPool2d(OutputSize.H, OutputSize.W);
    }
}
