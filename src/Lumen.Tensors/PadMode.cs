namespace Lumen.Tensors;

/// <summary>How <see cref="Tensor.Pad"/> fills the border (the ONNX <c>Pad</c> modes).</summary>
public enum PadMode
{
    /// <summary>A constant value.</summary>
    Constant,
    /// <summary>Mirror without repeating the edge: [1, 2, 3] padded by 2 is [3, 2, 1, 2, 3, 2, 1].</summary>
    Reflect,
    /// <summary>Repeat the edge element: [1, 2, 3] padded by 2 is [1, 1, 1, 2, 3, 3, 3].</summary>
    Edge,
    /// <summary>Wrap around (circular): [1, 2, 3] padded by 2 is [2, 3, 1, 2, 3, 1, 2].</summary>
    Wrap,
}
