namespace Lumen.NN.Layers;

/// <summary>How an output position of a spatially local module maps to a window of its inputs (see
/// <see cref="ISpatiallyLocal"/>), along height and width.</summary>
/// <param name="Extent">The dilated kernel extent (k − 1)·d + 1 along (height, width).</param>
/// <param name="Stride">The stride along (height, width).</param>
/// <param name="Padding">The padding before the first row and column (top, left).</param>
/// <param name="SpatialInputs">Indices of the inputs that carry the spatial data; the others are constants.</param>
/// <param name="PadValue">The value that padding stands for: 0 for zero padding, −∞ for max pooling. Positions
/// outside the input filled with it give the same outputs as the module's own padding.</param>
public sealed record SpatialWindow((int H, int W) Extent, (int H, int W) Stride, (int Top, int Left) Padding, IReadOnlyList<int> SpatialInputs, float PadValue = 0f)
{
    /// <summary>A pointwise op: output position (i, j) reads position (i, j) of every listed input.</summary>
    public static SpatialWindow Pointwise(params int[] spatialInputs) => new((1, 1), (1, 1), (0, 0), spatialInputs);

    /// <summary>A window over input 0 with the given kernel, stride, padding, dilation and pad value.</summary>
    public static SpatialWindow Kernel((int H, int W) kernel, (int H, int W) stride, (int Top, int Left) padding, (int H, int W) dilation, float padValue = 0f) =>
        new(((kernel.H - 1) * dilation.H + 1, (kernel.W - 1) * dilation.W + 1), stride, padding, [0], padValue);

    /// <summary>Whether every output position reads exactly its own position.</summary>
    public bool IsPointwise => Extent == (1, 1) && Stride == (1, 1) && Padding == (0, 0);
}
