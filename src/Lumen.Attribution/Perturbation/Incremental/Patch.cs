using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation.Incremental;

/// <summary>A rectangle of rows [Top, Top + Height) and columns [Left, Left + Width) of batch row
/// <paramref name="Row"/> of an [N, C, H, W] tensor, standing for the rectangle at (ImageTop, ImageLeft) of an
/// activation: a clean activation (at 0, 0), one item of a stacked region, or one block of a stacked crop.</summary>
internal readonly record struct Patch(Tensor Data, int Row, int Top, int Left, int Height, int Width, int ImageTop, int ImageLeft)
{
    /// <summary>The whole of batch row <paramref name="row"/> of <paramref name="data"/> [N, C, H, W], at (0, 0).</summary>
    public static Patch Whole(Tensor data, int row) => new(data, row, 0, 0, data.Shape[2], data.Shape[3], 0, 0);
}
