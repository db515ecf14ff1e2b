using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>MaxPool, AveragePool (1-D and 2-D), GlobalAveragePool, GlobalMaxPool (any rank).</summary>
internal static class PoolingOps
{
    public static void Register()
    {
        OnnxOps.Register("MaxPool", 1, node =>
        {
            var a = new ConvAttributes(node);
            bool ceil = node.Int("ceil_mode", 0) != 0;
            if (node.Int("storage_order", 0) != 0) throw node.Unsupported("storage_order=1");
            if (node.Outputs.Count > 1 && node.Outputs[1].Length > 0) throw node.Unsupported("Indices output");
            if (a.Kernel is null) throw node.Error("attribute 'kernel_shape' is required.");
            return inputs =>
            {
                var x = inputs.Arg(0);
                var y = Pool(a, CastOps.To(x, DType.Float32), (t, k, s, p, d) => t.MaxPool2d(k, s, p, d, ceil));
                return [CastOps.To(y, x.DType)];
            };
        });
        OnnxOps.Register("AveragePool", 1, node =>
        {
            var a = new ConvAttributes(node);
            bool ceil = node.Int("ceil_mode", 0) != 0;
            bool includePad = node.Int("count_include_pad", 0) != 0;
            if (a.Kernel is null) throw node.Error("attribute 'kernel_shape' is required.");
            if (a.Dilations is not null && a.Dilations.Any(d => d != 1)) throw node.Unsupported("dilations other than 1 in AveragePool");
            return inputs => [Pool(a, inputs.Arg(0), (x, k, s, p, d) => x.AvgPool2d(k, s, p, ceil, includePad))];
        });
        OnnxOps.Register("LpPool", 11, node =>
        {
            var a = new ConvAttributes(node);
            float p = node.Int("p", 2);
            bool ceil = node.Int("ceil_mode", 0) != 0;
            if (a.Kernel is null) throw node.Error("attribute 'kernel_shape' is required.");
            if (a.Dilations is not null && a.Dilations.Any(d => d != 1)) throw node.Unsupported("dilations other than 1 in LpPool");
            return inputs => [Pool(a, inputs.Arg(0), (x, k, s, pads, d) =>
                (x.Abs().Pow(p).AvgPool2d(k, s, pads, ceil, countIncludePad: true) * (k.H * k.W)).Pow(1f / p))];
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
            var x = inputs.Arg(0);
            return [NormalizationOps.Average(x, [.. Enumerable.Range(2, x.Rank - 2)])];
        });
        OnnxOps.Register("GlobalMaxPool", 1, node => inputs =>
        {
            var x = inputs.Arg(0);
            return [x.Max([.. Enumerable.Range(2, x.Rank - 2)], keepDims: true)];
        });
    }

    private delegate Tensor Pool2d(Tensor x, (int H, int W) kernel, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) pads, (int H, int W) dilation);

    private static Tensor Pool(ConvAttributes a, Tensor x, Pool2d pool)
    {
        int spatial = a.SpatialRank(x.Rank);
        if (spatial == 1) x = x.Reshape(x.Shape[0], x.Shape[1], 1, x.Shape[2]);
        var kernel = ConvAttributes.Pair(a.Kernel, spatial, 1);
        var stride = ConvAttributes.Pair(a.Strides, spatial, 1);
        var dilation = ConvAttributes.Pair(a.Dilations, spatial, 1);
        var pads = a.Pads(spatial, (x.Shape[2], x.Shape[3]), kernel, stride, dilation);
        var y = pool(x, kernel, stride, pads, dilation);
        return spatial == 1 ? y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]) : y;
    }
}
