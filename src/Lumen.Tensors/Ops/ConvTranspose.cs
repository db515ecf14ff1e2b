using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Transposed (fractionally strided) 2-D convolution: the adjoint of <see cref="Conv2d(Tensor, Tensor?, int, int, int, int)"/>.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Transposed 2-D convolution of this input [N, C, H, W] with <paramref name="weight"/> [C, O/groups, kh, kw]
    /// and an optional bias [O]; returns [N, O, H', W'] with H' = (H − 1)·sh − top − bottom + dh·(kh − 1) + outputPadding.H + 1.
    /// </summary>
    /// <remarks>It is the input gradient of the <see cref="Conv2d(Tensor, Tensor?, int, int, int, int)"/> that maps
    /// [N, O, H', W'] to [N, C, H, W] with the same weight, stride, padding, dilation and groups: every input value
    /// spreads w[c, o, i, j]·x[n, c, r, s] onto output position (r·sh − top + i·dh, s·sw − left + j·dw).
    /// <paramref name="outputPadding"/> (each below its stride) adds rows/columns at the bottom/right that a strided
    /// convolution would have dropped. See Dumoulin &amp; Visin, https://arxiv.org/abs/1603.07285.</remarks>
    public Tensor ConvTranspose2d(Tensor weight, Tensor? bias, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) padding,
        (int H, int W) outputPadding, (int H, int W) dilation, int groups = 1)
    {
        const string op = "ConvTranspose2d";
        ArgumentNullException.ThrowIfNull(weight);
        RequireConvOperands(op, weight, bias, stride, padding, dilation, groups);
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight must be [C, O/groups, kh, kw], got {weight.Shape}.");
        int c = Shape[1], o = weight.Shape[1] * groups, kh = weight.Shape[2], kw = weight.Shape[3];
        if (weight.Shape[0] != c) throw new ArgumentException($"{op}: input {Shape} has {c} channels but weight {weight.Shape} expects {weight.Shape[0]} (groups {groups}).");
        if (bias is not null && (bias.Rank != 1 || bias.Size != o))
            throw new ArgumentException($"{op}: bias {bias.Shape} must be [{o}] to match weight {weight.Shape} with groups {groups}.");
        if (outputPadding.H < 0 || outputPadding.W < 0 || outputPadding.H >= stride.H || outputPadding.W >= stride.W)
            throw new ArgumentOutOfRangeException(nameof(outputPadding), $"{op}: outputPadding ({outputPadding.H}, {outputPadding.W}) must be non-negative and below the stride ({stride.H}, {stride.W}).");
        int height = (Shape[2] - 1) * stride.H - padding.Top - padding.Bottom + dilation.H * (kh - 1) + outputPadding.H + 1;
        int width = (Shape[3] - 1) * stride.W - padding.Left - padding.Right + dilation.W * (kw - 1) + outputPadding.W + 1;
        if (height < 1 || width < 1 || Shape[2] == 0 || Shape[3] == 0)
            throw new ArgumentException($"{op}: input {Shape} with weight {weight.Shape} and padding (top {padding.Top}, left {padding.Left}, bottom {padding.Bottom}, right {padding.Right}) gives an empty output ({height}×{width}).");
        var g = new ConvGeometry(Shape[0], o, height, width, c, kh, kw, stride.H, stride.W,
            padding.Top, padding.Left, padding.Bottom, padding.Right, dilation.H, dilation.W, groups);
        return ConvTranspose2dCore(this, weight, bias, g);
    }

    /// <summary>Transposed 2-D convolution with the same stride, padding, output padding and dilation along both axes.</summary>
    /// <example><code>var up = x.ConvTranspose2d(w, b, stride: 2, padding: 1, outputPadding: 1); // doubles H and W for a 3×3 kernel</code></example>
    public Tensor ConvTranspose2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int dilation = 1, int groups = 1) =>
        ConvTranspose2d(weight, bias, (stride, stride), (padding, padding, padding, padding), (outputPadding, outputPadding), (dilation, dilation), groups);

    /// <summary>The transposed convolution of <paramref name="x"/> [N, C, H, W] where <paramref name="g"/> describes the
    /// convolution from the result [N, O, H', W'] back to [N, C, H, W]; records its backward rule.</summary>
    internal static Tensor ConvTranspose2dCore(Tensor x, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        var y = new float[g.Batch * g.InChannels * g.InPlane];
        Conv2dKernel.BackwardInput(x.Floats, weight.Floats, y, g);
        if (bias is not null) AddChannelBias(y, bias, g.Batch, g.InChannels, g.InPlane);
        var result = new Tensor(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), y);
        var rule = Gradients.ConvTranspose2dRule(x, weight, g);
        return bias is null
            ? Gradients.Record(result, "ConvTranspose2d", rule, x, weight)
            : Gradients.Record(result, "ConvTranspose2d", rule, x, weight, bias);
    }
}
