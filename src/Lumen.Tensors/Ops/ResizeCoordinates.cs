namespace Lumen.Tensors;

/// <summary>How an output coordinate x maps to an input coordinate when resizing an axis of length
/// <c>in</c> to <c>out</c> with scale s (ONNX <c>coordinate_transformation_mode</c>).</summary>
public enum ResizeCoordinates
{
    /// <summary>(x + ½)/s − ½: pixel centres line up (ONNX default; PyTorch align_corners=False).</summary>
    HalfPixel,
    /// <summary>Like <see cref="HalfPixel"/>, but 0 when out = 1 (PyTorch's own convention).</summary>
    PytorchHalfPixel,
    /// <summary>x·(in − 1)/(out − 1): corner pixels line up (0 when out = 1; PyTorch align_corners=True).</summary>
    AlignCorners,
    /// <summary>x/s (PyTorch's legacy "nearest").</summary>
    Asymmetric,
}
