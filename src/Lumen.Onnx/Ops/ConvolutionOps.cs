using Lumen.Onnx.Graph;
using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Onnx.Ops;

/// <summary>Conv over 1-D and 2-D inputs and ConvTranspose over 1-D, 2-D and 3-D inputs (1-D runs as 2-D with height 1,
/// 3-D as a sum of 2-D ones); Col2Im of any rank;
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
            var attributes = new ConvAttributes(node, maxRank: 3);
            int groups = (int)node.Int("group", 1);
            long[]? outputPadding = node.Ints("output_padding");
            long[]? outputShape = node.Ints("output_shape");
            if (node.ConstantInput(1) is { Rank: > 5 } w) throw node.Unsupported($"{w.Rank - 2}-D transposed convolution (weight {w.Shape})");
            return inputs => [ConvTranspose(attributes, groups, outputPadding, outputShape, inputs.Arg(0), inputs.Arg(1), inputs.Optional(2))];
        });
    }

    /// <summary>A Conv node's forms with a following activation fused into it (see <see cref="Graph.OnnxGraph"/>), each
    /// bitwise the Conv node and then the activation node, in values and (for the recorded forms) gradients.</summary>
    internal static FusedConv FusedForm(OnnxNode node) => new(new ConvAttributes(node), (int)node.Int("group", 1));

    /// <summary>One Conv node's attributes, run with a fused activation.</summary>
    internal sealed class FusedConv(ConvAttributes attributes, int groups)
    {
        /// <summary>At inference: the activation applied as the output is written, nothing recorded (<see cref="Tensor.Conv2dActivated"/>).</summary>
        public Tensor Activated(Tensor?[] inputs, ConvActivation activation) =>
            Conv(attributes, groups, inputs.Arg(0), inputs.Arg(1), inputs.Optional(2), activation);

        /// <summary>At inference: as <see cref="Activated"/>, the output written into <paramref name="target"/> as
        /// <paramref name="place"/> says (<see cref="Tensor.Conv2dActivatedInto"/>); its shape, or null, with nothing
        /// written, unless the input and weight are 2-D and the output fits.</summary>
        public Shape? ActivatedInto(Tensor?[] inputs, ConvActivation activation, float[] target, ConvPlacement place)
        {
            Tensor x = inputs.Arg(0), weight = inputs.Arg(1);
            if (x.Rank != 4 || weight.Rank != 4) return null;
            var (stride, pads, dilation) = Layout(attributes, 2, x, weight);
            return x.Conv2dActivatedInto(weight, inputs.Optional(2), stride, pads, dilation, groups, activation, target, place);
        }

        /// <summary>At inference: as <see cref="Activated"/>, then the max pool <paramref name="pool"/> of the result,
        /// band by band without the whole convolution output (<see cref="Tensor.Conv2dActivatedMaxPooled"/>); null, with
        /// nothing run, unless the input and weight are 2-D and the convolution takes the direct path.</summary>
        public Tensor? ActivatedMaxPooled(Tensor?[] inputs, ConvActivation activation, PoolingOps.MaxPoolWindow pool)
        {
            Tensor x = inputs.Arg(0), weight = inputs.Arg(1);
            if (x.Rank != 4 || weight.Rank != 4) return null;
            var (stride, pads, dilation) = Layout(attributes, 2, x, weight);
            var (kernel, poolStride, poolPads, poolDilation) = pool.For(x.Conv2dOutputSize(weight, inputs.Optional(2), stride, pads, dilation, groups));
            return x.Conv2dActivatedMaxPooled(weight, inputs.Optional(2), stride, pads, dilation, groups, activation, kernel, poolStride, poolPads, poolDilation, pool.CeilMode);
        }

        /// <summary>The output's spatial size for these inputs when the input and weight are 2-D, else null
        /// (<see cref="Tensor.Conv2dOutputSize"/>: operands that the convolution would refuse are refused here).</summary>
        public (int Height, int Width)? OutputSize(Tensor?[] inputs)
        {
            Tensor x = inputs.Arg(0), weight = inputs.Arg(1);
            if (x.Rank != 4 || weight.Rank != 4) return null;
            var (stride, pads, dilation) = Layout(attributes, 2, x, weight);
            return x.Conv2dOutputSize(weight, inputs.Optional(2), stride, pads, dilation, groups);
        }

        /// <summary>At inference: the convolution and then the addition of <paramref name="residual"/> (an Add node's
        /// other operand), as the output is written, nothing recorded (<see cref="Tensor.Conv2dResidual"/>); null, with
        /// nothing run, unless the input is 2-D and the residual a float tensor of the output's shape.</summary>
        public Tensor? Summed(Tensor?[] inputs, Tensor residual)
        {
            Tensor x = inputs.Arg(0), weight = inputs.Arg(1);
            if (x.Rank != 4 || weight.Rank != 4) return null;
            var (stride, pads, dilation) = Layout(attributes, 2, x, weight);
            return x.Conv2dResidual(weight, inputs.Optional(2), stride, pads, dilation, groups, residual);
        }

        /// <summary>Recorded, with a following Relu (slope 0) or LeakyRelu of slope α &gt; 0 (<see cref="Tensor.Conv2dRectified"/>).</summary>
        public Tensor Rectified(Tensor?[] inputs, float slope) =>
            Conv(attributes, groups, inputs.Arg(0), inputs.Arg(1), inputs.Optional(2), rectifierSlope: slope);

        /// <summary>Recorded, with a following Clip of the given bounds (null: none) (<see cref="Tensor.Conv2dClamped"/>).</summary>
        public Tensor Clamped(Tensor?[] inputs, float? min, float? max) =>
            Conv(attributes, groups, inputs.Arg(0), inputs.Arg(1), inputs.Optional(2), clampBounds: (min, max));
    }

    internal static Tensor Conv(ConvAttributes a, int groups, Tensor x, Tensor weight, Tensor? bias, ConvActivation? activation = null, float? rectifierSlope = null,
        (float? Min, float? Max)? clampBounds = null)
    {
        int spatial = a.SpatialRank(x.Rank);
        if (spatial == 1)
        {
            x = x.Reshape(x.Shape[0], x.Shape[1], 1, x.Shape[2]);
            weight = weight.Reshape(weight.Shape[0], weight.Shape[1], 1, weight.Shape[2]);
        }
        var (stride, pads, dilation) = Layout(a, spatial, x, weight);
        var y = activation is { } act ? x.Conv2dActivated(weight, bias, stride, pads, dilation, groups, act)
            : rectifierSlope is { } slope ? x.Conv2dRectified(weight, bias, stride, pads, dilation, groups, slope)
            : clampBounds is { } bounds ? x.Conv2dClamped(weight, bias, stride, pads, dilation, groups, bounds.Min, bounds.Max)
            : x.Conv2d(weight, bias, stride, pads, dilation, groups); // [N, O, H', W']
        return spatial == 1 ? y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]) : y;
    }

    /// <summary>A 2-D convolution's stride, explicit pads and dilation for input x and weight [O, C/groups, kh, kw].</summary>
    private static ((int H, int W) Stride, (int Top, int Left, int Bottom, int Right) Pads, (int H, int W) Dilation) Layout(ConvAttributes a, int spatial, Tensor x, Tensor weight)
    {
        var stride = ConvAttributes.Pair(a.Strides, spatial, 1);
        var dilation = ConvAttributes.Pair(a.Dilations, spatial, 1);
        return (stride, a.Pads(spatial, (x.Shape[2], x.Shape[3]), (weight.Shape[2], weight.Shape[3]), stride, dilation), dilation);
    }

    private static Tensor ConvTranspose(ConvAttributes a, int groups, long[]? outputPadding, long[]? outputShape, Tensor x, Tensor weight, Tensor? bias)
    {
        if (x.Rank == 5) return ConvTranspose3d(a, groups, outputPadding, outputShape, x, weight, bias);
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
    /// 3-D ConvTranspose as a sum over the depth taps of 2-D transposed convolutions: depth tap kd turns every input
    /// slice into a 2-D output slice, which lands at output depth id·stride + kd·dilation; the depth axis is then
    /// cropped by its pads. Explicit pads and output_padding only (auto_pad and output_shape are refused).
    /// </summary>
    private static Tensor ConvTranspose3d(ConvAttributes a, int groups, long[]? outputPadding, long[]? outputShape, Tensor x, Tensor weight, Tensor? bias)
    {
        if (outputShape is not null || a.AutoPad is "SAME_UPPER" or "SAME_LOWER")
            throw new ArgumentException("ConvTranspose: Lumen runs 3-D transposed convolutions with explicit pads only (no output_shape or auto_pad SAME).");
        if (weight.Rank != 5) throw new ArgumentException($"ConvTranspose: a 3-D input needs a weight [C, O/group, kD, kH, kW], got {weight.Shape}.");
        int n = x.Shape[0], c = x.Shape[1], depth = x.Shape[2], kd = weight.Shape[2];
        int[] stride = ConvAttributes.PerAxis(a.Strides, 3, 1), dilation = ConvAttributes.PerAxis(a.Dilations, 3, 1), extra = ConvAttributes.PerAxis(outputPadding, 3, 0);
        var (begin, end) = a.PadsNd([depth, x.Shape[3], x.Shape[4]], [kd, weight.Shape[3], weight.Shape[4]], stride, dilation);
        int full = (depth - 1) * stride[0] + (kd - 1) * dilation[0] + 1 + extra[0];
        var slices = x.Permute(0, 2, 1, 3, 4).Reshape(n * depth, c, x.Shape[3], x.Shape[4]);
        Tensor? sum = null;
        for (int k = 0; k < kd; k++)
        {
            var planes = slices.ConvTranspose2d(weight.Slice(2, k, k + 1).Squeeze(2), null, (stride[1], stride[2]), (begin[1], begin[2], end[1], end[2]),
                (extra[1], extra[2]), (dilation[1], dilation[2]), groups);
            int o = planes.Shape[1], h = planes.Shape[2], w = planes.Shape[3];
            var placed = planes.Reshape(n, depth, 1, o, h, w);
            if (stride[0] > 1) placed = Tensor.Concat([placed, Tensor.Zeros(n, depth, stride[0] - 1, o, h, w)], 2);
            placed = placed.Reshape(n, depth * stride[0], o, h, w).Slice(1, 0, (depth - 1) * stride[0] + 1);
            int before = k * dilation[0];
            placed = placed.Pad([0, before, 0, 0, 0, 0, full - before - placed.Shape[1], 0, 0, 0]);
            sum = sum is null ? placed : sum + placed;
        }
        var y = sum!.Slice(1, begin[0], full - end[0]).Permute(0, 2, 1, 3, 4);
        return bias is null ? y : y + bias.Reshape(1, -1, 1, 1, 1);
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
        int[] dilation = ConvAttributes.PerAxis(dilations, rank, 1), stride = ConvAttributes.PerAxis(strides, rank, 1);
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
