namespace Lumen.Tensors;

/// <summary>How <see cref="Tensor.Resize(int, int, ResizeMode, ResizeCoordinates, ResizeNearestRounding)"/> interpolates.</summary>
public enum ResizeMode
{
    /// <summary>Copy the nearest input value (ONNX mode "nearest").</summary>
    Nearest,
    /// <summary>Linear interpolation along each of the two axes (ONNX mode "linear" on 2-D, PyTorch "bilinear").</summary>
    Bilinear,
}
