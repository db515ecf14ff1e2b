using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Conv and ConvTranspose over 1-D and 2-D inputs (1-D runs as 2-D with height 1).</summary>
internal static class ConvolutionOps
{
    public static void Register()
    {
        OnnxOps.Register("Conv", 1, node =>
        {
            var attributes = new ConvAttributes(node);
            int groups = (int)node.Int("group", 1);
            if (node.ConstantInput(1) is { Rank: > 4 } w) throw node.Unsupported($"{w.Rank - 2}-D convolution (weight {w.Shape})");
            return inputs => [Conv(attributes, groups, inputs.Arg(0), inputs.Arg(1), inputs.Optional(2))];
        });
        OnnxOps.Register("ConvTranspose", 1, node =>
        {
            var attributes = new ConvAttributes(node);
            int groups = (int)node.Int("group", 1);
            long[]? outputPadding = node.Ints("output_padding");
            long[]? outputShape = node.Ints("output_shape");
            if (node.ConstantInput(1) is { Rank: > 4 } w) throw node.Unsupported($"{w.Rank - 2}-D transposed convolution (weight {w.Shape})");
            return inputs => [ConvTranspose(attributes, groups, outputPadding, outputShape, inputs.Arg(0), inputs.Arg(1), inputs.Optional(2))];
        });
    }

    internal static Tensor Conv(ConvAttributes a, int groups, Tensor x, Tensor weight, Tensor? bias)
    {
        int spatial = a.SpatialRank(x.Rank);
        if (spatial == 1)
        {
            x = x.Reshape(x.Shape[0], x.Shape[1], 1, x.Shape[2]);
            weight = weight.Reshape(weight.Shape[0], weight.Shape[1], 1, weight.Shape[2]);
        }
        var kernel = (weight.Shape[2], weight.Shape[3]);
        var stride = ConvAttributes.Pair(a.Strides, spatial, 1);
        var dilation = ConvAttributes.Pair(a.Dilations, spatial, 1);
        var pads = a.Pads(spatial, (x.Shape[2], x.Shape[3]), kernel, stride, dilation);
        var y = x.Conv2d(weight, bias, stride, pads, dilation, groups); // [N, O, H', W']
        return spatial == 1 ? y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]) : y;
    }

    private static Tensor ConvTranspose(ConvAttributes a, int groups, long[]? outputPadding, long[]? outputShape, Tensor x, Tensor weight, Tensor? bias)
    {
        int spatial = a.SpatialRank(x.Rank);
        if (spatial == 1)
        {
            x = x.Reshape(x.Shape[0], x.Shape[1], 1, x.Shape[2]);
            weight = weight.Reshape(weight.Shape[0], weight.Shape[1], 1, weight.Shape[2]);
        }
        var kernel = (H: weight.Shape[2], W: weight.Shape[3]);
        var stride = ConvAttributes.Pair(a.Strides, spatial, 1);
        var dilation = ConvAttributes.Pair(a.Dilations, spatial, 1);
        var extra = ConvAttributes.Pair(outputPadding, spatial, 0, neutral: 0);
        (int Top, int Left, int Bottom, int Right) pads;
        if (outputShape is not null || a.AutoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            // Total padding from the requested output size: out = stride·(in−1) + extra + (k−1)·d + 1 − pads.
            var target = outputShape is not null ? ConvAttributes.Pair(outputShape[^Math.Min(outputShape.Length, spatial)..], spatial, 1)
                : (H: x.Shape[2] * stride.H, W: x.Shape[3] * stride.W);
            int totalH = stride.H * (x.Shape[2] - 1) + extra.H + (kernel.H - 1) * dilation.H + 1 - target.H;
            int totalW = stride.W * (x.Shape[3] - 1) + extra.W + (kernel.W - 1) * dilation.W + 1 - target.W;
            // A larger requested output is reached by output padding (added at the end), not by negative pads.
            if (totalH < 0) { extra = (extra.H - totalH, extra.W); totalH = 0; }
            if (totalW < 0) { extra = (extra.H, extra.W - totalW); totalW = 0; }
            bool lower = a.AutoPad != "SAME_UPPER";
            pads = lower ? (totalH - totalH / 2, totalW - totalW / 2, totalH / 2, totalW / 2)
                         : (totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2);
        }
        else pads = a.Pads(spatial, (x.Shape[2], x.Shape[3]), kernel, stride, dilation);
        var y = x.ConvTranspose2d(weight, bias, stride, pads, extra, dilation, groups);
        return spatial == 1 ? y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]) : y;
    }
}
