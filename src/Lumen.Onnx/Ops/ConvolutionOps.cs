using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Conv and ConvTranspose over 1-D and 2-D inputs (1-D runs as 2-D with height 1); Col2Im of any rank;
/// DeformConv (see <see cref="DeformableConvolution"/>).</summary>
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
        OnnxOps.Register("DeformConv", 19, DeformableConvolution.Convert);
        OnnxOps.Register("Col2Im", 18, node =>
        {
            long[]? dilations = node.Ints("dilations"), pads = node.Ints("pads"), strides = node.Ints("strides");
            return inputs => [Col2Im(inputs.Arg(0), OpHelpers.Ints(inputs.Arg(1)), OpHelpers.Ints(inputs.Arg(2)), dilations, pads, strides)];
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

    /// <summary>
    /// Col2Im, the adjoint of im2col: column l of block entry j of x [N, C·Πk, L] is added into the image at the
    /// l-th sliding block's position of entry j (block origins every stride over the padded image, entries every
    /// dilation), and the padding is cropped. Written as one add-scatter, so it is differentiable.
    /// </summary>
    internal static Tensor Col2Im(Tensor x, int[] image, int[] block, long[]? dilations, long[]? pads, long[]? strides)
    {
        int rank = image.Length, taps = block.Aggregate(1, (a, b) => a * b);
        if (x.Rank != 3 || block.Length != rank || x.Shape[1] % taps != 0)
            throw new ArgumentException($"Col2Im: input {x.Shape} does not hold blocks [{string.Join(", ", block)}] for image [{string.Join(", ", image)}].");
        int[] dilation = dilations is null ? [.. Enumerable.Repeat(1, rank)] : OpHelpers.Ints(dilations);
        int[] stride = strides is null ? [.. Enumerable.Repeat(1, rank)] : OpHelpers.Ints(strides);
        int[] begin = pads is null ? new int[rank] : OpHelpers.Ints(pads[..rank]), end = pads is null ? new int[rank] : OpHelpers.Ints(pads[rank..]);
        int[] padded = [.. Enumerable.Range(0, rank).Select(d => image[d] + begin[d] + end[d])];
        int[] blocks = [.. Enumerable.Range(0, rank).Select(d => (padded[d] - dilation[d] * (block[d] - 1) - 1) / stride[d] + 1)];
        int n = x.Shape[0], channels = x.Shape[1] / taps, length = x.Shape[2];
        if (blocks.Aggregate(1, (a, b) => a * b) != length)
            throw new ArgumentException($"Col2Im: {length} columns, but the image and block shapes give {string.Join("×", blocks)} sliding blocks.");
        var target = new long[taps * length];
        var k = new int[rank];
        var o = new int[rank];
        for (int j = 0; j < taps; j++)
            for (int l = 0; l < length; l++)
            {
                OpHelpers.Unflatten(j, block, k);
                OpHelpers.Unflatten(l, blocks, o);
                long flat = 0;
                for (int d = 0; d < rank; d++) flat = flat * padded[d] + o[d] * stride[d] + k[d] * dilation[d];
                target[j * length + l] = flat;
            }
        int planes = n * channels, area = padded.Aggregate(1, (a, b) => a * b);
        var index = OpHelpers.LongTensor(target, new Shape(1, taps * length)).Expand(planes, taps * length);
        var y = Tensor.Zeros(planes, area).ScatterElements(1, index, x.Reshape(planes, taps * length), ScatterReduction.Add)
            .Reshape([n, channels, .. padded]);
        for (int d = 0; d < rank; d++) y = y.Slice(2 + d, begin[d], begin[d] + image[d]);
        return y;
    }
}
