namespace Lumen.Tensors;

/// <summary>How nearest-neighbour resizing rounds a fractional input coordinate (ONNX <c>nearest_mode</c>).</summary>
public enum ResizeNearestRounding
{
    /// <summary>Round to nearest, halves down (ONNX default).</summary>
    RoundPreferFloor,
    /// <summary>Round to nearest, halves up.</summary>
    RoundPreferCeil,
    /// <summary>Round down (PyTorch "nearest").</summary>
    Floor,
    /// <summary>Round up.</summary>
    Ceil,
}
