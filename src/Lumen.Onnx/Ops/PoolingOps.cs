using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>MaxPool, AveragePool, LpPool (1-D and 2-D on the engine's kernels; 3-D, dilated average/Lp and MaxPool
/// Indices through <see cref="WindowPool"/>), MaxUnpool, GlobalAveragePool, GlobalMaxPool, GlobalLpPool (any rank).</summary>
internal static class PoolingOps
{
    public static void Register()
    {
        OnnxOps.Register("MaxUnpool", 9, node =>
        {
            // Scatter each value to the flat position its index names (as MaxPool's Indices output gives them) in a
            // zero tensor of the unpooled shape: (in − 1)·stride − pad_begin − pad_end + kernel, or output_shape.
            long[] kernel = node.Ints("kernel_shape") ?? throw node.Error("attribute 'kernel_shape' is required.");
            long[] strides = node.Ints("strides") ?? [.. kernel.Select(_ => 1L)];
            long[] pads = node.Ints("pads") ?? new long[2 * kernel.Length];
            return inputs =>
            {
                var x = inputs.Arg(0);
                int spatial = kernel.Length;
                int[] unpooled = [x.Shape[0], x.Shape[1], .. Enumerable.Range(0, spatial).Select(d =>
                    (int)((x.Shape[2 + d] - 1) * strides[d] - pads[d] - pads[d + spatial] + kernel[d]))];
                int[] shape = inputs.Optional(2) is { } requested ? OpHelpers.Ints(requested) : unpooled;
                if (shape.Length != unpooled.Length || shape.Zip(unpooled).Any(p => p.First < p.Second))
                    throw new ArgumentException($"MaxUnpool: output_shape [{string.Join(", ", shape)}] is smaller than the unpooled [{string.Join(", ", unpooled)}].");
                int total = shape.Aggregate(1, (a, b) => a * b);
                // Indices address the unpooled shape; a larger output_shape keeps each value at the same coordinates.
                var flat = OpHelpers.Longs(inputs.Arg(1)).Select(i => Relocate(i, unpooled, shape)).ToArray();
                var index = OpHelpers.LongVector(flat);
                return [Tensor.Zeros(new Shape(total)).ScatterElements(0, index, x.Reshape(-1)).Reshape(shape)];
            };
        });
        OnnxOps.Register("MaxPool", 1, node =>
        {
            var a = new ConvAttributes(node, maxRank: 3);
            bool ceil = node.Int("ceil_mode", 0) != 0;
            bool columnMajor = node.Int("storage_order", 0) != 0;
            bool indices = node.Outputs.Count > 1 && node.Outputs[1].Length > 0;
            if (a.Kernel is null) throw node.Error("attribute 'kernel_shape' is required.");
            return inputs =>
            {
                var x = inputs.Arg(0);
                var xf = CastOps.To(x, DType.Float32);
                if (x.Rank - 2 <= 2 && !indices)
                    return [CastOps.To(Pool(a, xf, (t, k, s, p, d) => t.MaxPool2d(k, s, p, d, ceil)), x.DType)];
                var window = Window(a, xf, ceil);
                var y = CastOps.To(window.Max(xf), x.DType);
                return indices ? [y, window.ArgMax(xf, columnMajor)] : [y];
            };
        });
        OnnxOps.Register("AveragePool", 1, node =>
        {
            var a = new ConvAttributes(node, maxRank: 3);
            bool ceil = node.Int("ceil_mode", 0) != 0;
            bool includePad = node.Int("count_include_pad", 0) != 0;
            if (a.Kernel is null) throw node.Error("attribute 'kernel_shape' is required.");
            bool dilated = a.Dilations is not null && a.Dilations.Any(d => d != 1);
            return inputs =>
            {
                var x = inputs.Arg(0);
                return x.Rank - 2 <= 2 && !dilated
                    ? [Pool(a, x, (t, k, s, p, d) => t.AvgPool2d(k, s, p, ceil, includePad))]
                    : [Window(a, x, ceil).Average(x, includePad)];
            };
        });
        OnnxOps.Register("LpPool", 11, node =>
        {
            var a = new ConvAttributes(node, maxRank: 3);
            float p = node.Int("p", 2);
            bool ceil = node.Int("ceil_mode", 0) != 0;
            if (a.Kernel is null) throw node.Error("attribute 'kernel_shape' is required.");
            bool dilated = a.Dilations is not null && a.Dilations.Any(d => d != 1);
            return inputs =>
            {
                var x = inputs.Arg(0);
                return x.Rank - 2 <= 2 && !dilated
                    ? [Pool(a, x, (t, k, s, pads, d) => (t.Abs().Pow(p).AvgPool2d(k, s, pads, ceil, countIncludePad: true) * (k.H * k.W)).Pow(1f / p))]
                    : [Window(a, x, ceil).Lp(x, p)];
            };
        });
        OnnxOps.Register("GlobalLpPool", 2, node =>
        {
            float p = node.Int("p", 2);
            return inputs =>
            {
                var x = inputs.Arg(0);
                return [x.Abs().Pow(p).Sum([.. Enumerable.Range(2, x.Rank - 2)], keepDims: true).Pow(1f / p)];
            };
        });
        OnnxOps.Register("GlobalAveragePool", 1, node => inputs =>
        {
            // at inference one pass gives bitwise the sum-then-divide of the recorded form
            var x = inputs.Arg(0);
            if (x.DType != DType.Float32 || x.Rank < 3 || (Tensors.Autograd.GradMode.IsEnabled && x.RequiresGrad))
                return [NormalizationOps.Average(x, [.. Enumerable.Range(2, x.Rank - 2)])];
            int planes = x.Shape[0] * x.Shape[1];
            return [new Tensor(new Shape([x.Shape[0], x.Shape[1], .. Enumerable.Repeat(1, x.Rank - 2)]), Tensors.Kernels.Reduction.MeanRuns(x.Floats, planes, planes == 0 ? 0 : x.Size / planes))];
        });
        OnnxOps.Register("GlobalMaxPool", 1, node => inputs =>
        {
            var x = inputs.Arg(0);
            return [x.Max([.. Enumerable.Range(2, x.Rank - 2)], keepDims: true)];
        });
    }

    /// <summary>A MaxPool node's 2-D window, for a convolution that pools its own output
    /// (<see cref="ConvolutionOps.FusedConv.ActivatedMaxPooled"/>); null unless the node has a 2-D kernel_shape and
    /// only its values are read (no Indices output).</summary>
    internal static MaxPoolWindow? MaxPoolWindowOf(OnnxNode node)
    {
        if (node.Outputs.Count > 1 && node.Outputs[1].Length > 0) return null;
        try
        {
            var a = new ConvAttributes(node, maxRank: 3);
            return a.Kernel is { Length: 2 } ? new MaxPoolWindow(a, node.Int("ceil_mode", 0) != 0) : null;
        }
        catch (OnnxException) { return null; }   // an unsupported attribute: the node itself reports it when it runs
    }

    /// <summary>A 2-D MaxPool's hyper-parameters, its pads resolved for each input size.</summary>
    internal sealed class MaxPoolWindow(ConvAttributes attributes, bool ceilMode)
    {
        public bool CeilMode => ceilMode;

        /// <summary>Kernel, stride, explicit pads and dilation for an input of <paramref name="size"/>.</summary>
        public ((int H, int W) Kernel, (int H, int W) Stride, (int Top, int Left, int Bottom, int Right) Pads, (int H, int W) Dilation) For((int H, int W) size) =>
            Window2d(attributes, 2, size);
    }

    private delegate Tensor Pool2d(Tensor x, (int H, int W) kernel, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) pads, (int H, int W) dilation);

    private static Tensor Pool(ConvAttributes a, Tensor x, Pool2d pool)
    {
        int spatial = a.SpatialRank(x.Rank);
        if (spatial == 1) x = x.Reshape(x.Shape[0], x.Shape[1], 1, x.Shape[2]);
        var (kernel, stride, pads, dilation) = Window2d(a, spatial, (x.Shape[2], x.Shape[3]));
        var y = pool(x, kernel, stride, pads, dilation);
        return spatial == 1 ? y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]) : y;
    }

    /// <summary>A 1-D or 2-D pool's window as the engine's 2-D pools take it (a 1-D one as 1 × k): kernel, stride,
    /// explicit pads for an input of <paramref name="size"/> (auto_pad honoured) and dilation.</summary>
    private static ((int H, int W) Kernel, (int H, int W) Stride, (int Top, int Left, int Bottom, int Right) Pads, (int H, int W) Dilation) Window2d(
        ConvAttributes a, int spatial, (int H, int W) size)
    {
        var kernel = ConvAttributes.Pair(a.Kernel, spatial, 1);
        var stride = ConvAttributes.Pair(a.Strides, spatial, 1);
        var dilation = ConvAttributes.Pair(a.Dilations, spatial, 1);
        return (kernel, stride, a.Pads(spatial, size, kernel, stride, dilation), dilation);
    }

    // The gather-based pool for any spatial rank (3-D windows, dilated average/Lp pools, MaxPool Indices).
    private static WindowPool Window(ConvAttributes a, Tensor x, bool ceil)
    {
        int rank = x.Rank - 2;
        if (rank < 1) throw new ArgumentException($"{a.Node.OpType}: expected [N, C, spatial…], got {x.Shape}.");
        int[] input = [.. Enumerable.Range(2, rank).Select(d => x.Shape[d])];
        int[] kernel = ConvAttributes.PerAxis(a.Kernel, rank, 1), stride = ConvAttributes.PerAxis(a.Strides, rank, 1), dilation = ConvAttributes.PerAxis(a.Dilations, rank, 1);
        if (kernel.Length != rank) throw new ArgumentException($"{a.Node.OpType}: kernel_shape has {kernel.Length} axes for input {x.Shape}.");
        var (begin, end) = a.PadsNd(input, kernel, stride, dilation);
        return new WindowPool(input, kernel, stride, dilation, begin, end, ceil);
    }

    private static long Relocate(long index, int[] from, int[] to)
    {
        long result = 0, stride = 1;
        for (int d = from.Length - 1; d >= 0; d--)
        {
            long coordinate = index % from[d];
            index /= from[d];
            result += coordinate * stride;
            stride *= to[d];
        }
        return result;
    }
}
