using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Pooling over the spatial dimensions of [N, C, H, W] (and [N, C, L] for the 1-D variants).</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Max pooling of this [N, C, H, W] tensor over kh×kw windows with stride, asymmetric padding (never selected),
    /// dilation and PyTorch's ceil mode. The gradient goes to each window's first maximum (row-major scan).
    /// </summary>
    /// <remarks>y[n, c, r, s] = max_{i, j} x[n, c, r·sh − top + i·dh, s·sw − left + j·dw];
    /// OH = ⌊(H + top + bottom − dh·(kh − 1) − 1)/sh⌋ + 1 (⌈·⌉ in ceil mode, dropping a last window that would start in the bottom padding).</remarks>
    public Tensor MaxPool2d((int H, int W) kernel, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding, (int H, int W) dilation, bool ceilMode = false)
    {
        var g = PoolGeometryOf("MaxPool2d", kernel, stride, padding, dilation, ceilMode);
        var y = StoragePool.NewFloats(g.Planes * g.OutHeight * g.OutWidth, overwrite: true);
        PoolMax.Forward(Floats, y, g);
        var result = new Tensor(new Shape(Shape[0], Shape[1], g.OutHeight, g.OutWidth), y);
        return Gradients.Record(result, "MaxPool2d", Gradients.MaxPool2dRule(this, y, g), this);
    }

    /// <summary>Max pooling with a square window; <paramref name="stride"/> defaults to the window size.</summary>
    /// <example><code>var y = x.MaxPool2d(3, stride: 2, padding: 1); // ResNet stem</code></example>
    public Tensor MaxPool2d(int kernel, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPool2d((kernel, kernel), (stride ?? kernel, stride ?? kernel), (padding, padding, padding, padding), (dilation, dilation), ceilMode);

    /// <summary>Max pooling of [N, C, L] over windows of <paramref name="kernel"/> positions.</summary>
    public Tensor MaxPool1d(int kernel, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        var x = AsPlanes("MaxPool1d");
        var y = x.MaxPool2d((1, kernel), (1, stride ?? kernel), (0, padding, 0, padding), (1, dilation), ceilMode);
        return y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]);
    }

    /// <summary>
    /// Average pooling of this [N, C, H, W] tensor over kh×kw windows. The divisor is PyTorch's: the window clipped
    /// to the padded input when <paramref name="countIncludePad"/> (the default), else the number of input positions
    /// in the window.
    /// </summary>
    /// <remarks>y[n, c, r, s] = Σ_{window} x / divisor, with windows starting at (r·sh − top, s·sw − left).</remarks>
    public Tensor AvgPool2d((int H, int W) kernel, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding, bool ceilMode = false, bool countIncludePad = true)
    {
        var g = PoolGeometryOf("AvgPool2d", kernel, stride, padding, (1, 1), ceilMode);
        var rows = PoolAxisTaps.Average(g.InHeight, kernel.H, stride.H, padding.Top, padding.Bottom, ceilMode, countIncludePad);
        var cols = PoolAxisTaps.Average(g.InWidth, kernel.W, stride.W, padding.Left, padding.Right, ceilMode, countIncludePad);
        return SeparableMap("AvgPool2d", rows, cols);
    }

    /// <summary>Average pooling with a square window; <paramref name="stride"/> defaults to the window size.</summary>
    public Tensor AvgPool2d(int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) =>
        AvgPool2d((kernel, kernel), (stride ?? kernel, stride ?? kernel), (padding, padding, padding, padding), ceilMode, countIncludePad);

    /// <summary>Average pooling of [N, C, L] over windows of <paramref name="kernel"/> positions.</summary>
    public Tensor AvgPool1d(int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        var x = AsPlanes("AvgPool1d");
        var y = x.AvgPool2d((1, kernel), (1, stride ?? kernel), (0, padding, 0, padding), ceilMode, countIncludePad);
        return y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]);
    }

    /// <summary>Mean over H and W of [N, C, H, W]: returns [N, C, 1, 1].</summary>
    public Tensor GlobalAvgPool2d()
    {
        RequirePoolInput("GlobalAvgPool2d");
        return Sum([2, 3], keepDims: true) * (1f / (Shape[2] * Shape[3]));
    }

    /// <summary>Maximum over H and W of [N, C, H, W]: returns [N, C, 1, 1]; the gradient goes to the first maximum.</summary>
    public Tensor GlobalMaxPool2d()
    {
        RequirePoolInput("GlobalMaxPool2d");
        return MaxPool2d((Shape[2], Shape[3]), (1, 1), (0, 0, 0, 0), (1, 1));
    }

    /// <summary>Adaptive average pooling of [N, C, H, W] to [N, C, height, width] with PyTorch's bins: output row r
    /// averages input rows [⌊r·H/height⌋, ⌈(r + 1)·H/height⌉), and likewise for columns.</summary>
    public Tensor AdaptiveAvgPool2d(int height, int width)
    {
        RequirePoolInput("AdaptiveAvgPool2d");
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"AdaptiveAvgPool2d: output size ({height}, {width}) must be positive (input {Shape}).");
        return SeparableMap("AdaptiveAvgPool2d", PoolAxisTaps.Adaptive(Shape[2], height), PoolAxisTaps.Adaptive(Shape[3], width));
    }

    /// <summary>Applies a separable linear map to the last two dimensions ([…, H, W] → […, rows.OutSize, cols.OutSize]);
    /// its gradient is the transposed map, itself recorded.</summary>
    internal Tensor SeparableMap(string op, PoolAxisTaps rows, PoolAxisTaps cols)
    {
        var y = PoolSeparable.Apply(Floats, Shape.Product(0, Rank - 2), rows, cols);
        var result = new Tensor(new Shape([.. Shape.Dims[..^2], rows.OutSize, cols.OutSize]), y);
        return Gradients.Record(result, op, Gradients.SeparableMapRule(op, rows, cols), this);
    }

    /// <summary>The transpose of <see cref="SeparableMap"/>: […, rows.OutSize, cols.OutSize] → […, H, W].</summary>
    internal Tensor SeparableMapTransposed(string op, PoolAxisTaps rows, PoolAxisTaps cols)
    {
        var dx = PoolSeparable.ApplyTransposed(Floats, Shape.Product(0, Rank - 2), rows, cols);
        var result = new Tensor(new Shape([.. Shape.Dims[..^2], rows.InSize, cols.InSize]), dx);
        return Gradients.Record(result, op + ".Backward", Gradients.SeparableMapTransposedRule(op, rows, cols), this);
    }

    private PoolGeometry PoolGeometryOf(string op, (int H, int W) kernel, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding, (int H, int W) dilation, bool ceilMode)
    {
        RequirePoolInput(op);
        return PoolGeometryFor(op, Shape, kernel, stride, padding, dilation, ceilMode);
    }

    /// <summary>The pooling geometry of a [N, C, H, W] <paramref name="input"/> shape, its hyper-parameters checked.</summary>
    private static PoolGeometry PoolGeometryFor(string op, Shape input, (int H, int W) kernel, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding, (int H, int W) dilation, bool ceilMode)
    {
        if (kernel.H < 1 || kernel.W < 1) throw new ArgumentOutOfRangeException(nameof(kernel), $"{op}: kernel ({kernel.H}, {kernel.W}) must be at least 1 (input {input}).");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"{op}: stride ({stride.H}, {stride.W}) must be at least 1 (input {input}).");
        if (dilation.H < 1 || dilation.W < 1) throw new ArgumentOutOfRangeException(nameof(dilation), $"{op}: dilation ({dilation.H}, {dilation.W}) must be at least 1 (input {input}).");
        if (padding.Top < 0 || padding.Left < 0 || padding.Bottom < 0 || padding.Right < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), $"{op}: padding (top {padding.Top}, left {padding.Left}, bottom {padding.Bottom}, right {padding.Right}) must not be negative (input {input}).");
        if (input[2] + padding.Top + padding.Bottom < dilation.H * (kernel.H - 1) + 1 || input[3] + padding.Left + padding.Right < dilation.W * (kernel.W - 1) + 1)
            throw new ArgumentException($"{op}: input {input} with padding (top {padding.Top}, left {padding.Left}, bottom {padding.Bottom}, right {padding.Right}) is smaller than the window ({kernel.H}, {kernel.W}) dilated by ({dilation.H}, {dilation.W}).");
        return new PoolGeometry(input[0] * input[1], input[2], input[3], kernel.H, kernel.W, stride.H, stride.W,
            padding.Top, padding.Left, padding.Bottom, padding.Right, dilation.H, dilation.W, ceilMode);
    }

    private void RequirePoolInput(string op)
    {
        RequireFloat(op);
        if (Rank != 4) throw new ArgumentException($"{op}: input must be [N, C, H, W], got {Shape}.");
        if (Shape[2] == 0 || Shape[3] == 0) throw new ArgumentException($"{op}: input {Shape} has an empty spatial dimension.");
    }

    // [N, C, L] viewed as [N, C, 1, L].
    private Tensor AsPlanes(string op)
    {
        RequireFloat(op);
        if (Rank != 3) throw new ArgumentException($"{op}: input must be [N, C, L], got {Shape}.");
        return Reshape(Shape[0], Shape[1], 1, Shape[2]);
    }
}
