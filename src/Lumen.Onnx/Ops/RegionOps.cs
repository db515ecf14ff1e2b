using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// RoiAlign: each region of interest [x1, y1, x2, y2] (times spatial_scale, shifted by −0.5 with
/// coordinate_transformation_mode half_pixel) is divided into output_height × output_width bins; each bin averages
/// (mode avg) the bilinear interpolations at a grid of sampling_ratio² points (⌈roi size / output size⌉ per axis
/// when 0), or takes the maximum (mode max) of the weighted corner values w·v, as the ONNX reference and ONNX
/// Runtime do. A point beyond one pixel outside the image contributes 0. He et al., "Mask R-CNN", ICCV 2017.
/// </summary>
/// <remarks>Written as a gather of the four corners of every sample with constant weights, so the gradient reaches
/// the feature map (rois and batch indices are not differentiated).</remarks>
internal static class RegionOps
{
    public static void Register() => OnnxOps.Register("RoiAlign", 10, node =>
    {
        string mode = node.String("mode", "avg");
        if (mode is not ("avg" or "max")) throw node.Unsupported($"mode '{mode}'");
        // Opset 16 added coordinate_transformation_mode with default half_pixel; before it the behaviour was output_half_pixel.
        string transform = node.String("coordinate_transformation_mode", node.Opset >= 16 ? "half_pixel" : "output_half_pixel");
        if (transform is not ("half_pixel" or "output_half_pixel")) throw node.Unsupported($"coordinate_transformation_mode '{transform}'");
        var settings = new Settings((int)node.Int("output_height", 1), (int)node.Int("output_width", 1), (int)node.Int("sampling_ratio", 0),
            node.Float("spatial_scale", 1f), transform == "half_pixel", mode == "max");
        return inputs => [Align(inputs.Arg(0), CastOps.To(inputs.Arg(1), DType.Float32), OpHelpers.Longs(inputs.Arg(2)), settings)];
    });

    private sealed record Settings(int Height, int Width, int SamplingRatio, float Scale, bool HalfPixel, bool Max);

    private static Tensor Align(Tensor x, Tensor rois, long[] batchIndices, Settings s)
    {
        if (x.Rank != 4 || rois.Rank != 2 || rois.Shape[1] != 4 || batchIndices.Length != rois.Shape[0])
            throw new ArgumentException($"RoiAlign: expected X [N, C, H, W], rois [R, 4] and R batch indices, got {x.Shape}, {rois.Shape} and {batchIndices.Length}.");
        int c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var planes = x.Reshape(x.Shape[0], c, h * w);
        var boxes = rois.ToArray();
        var pooled = new Tensor[batchIndices.Length];
        for (int r = 0; r < pooled.Length; r++)
        {
            float offset = s.HalfPixel ? 0.5f : 0f;
            float x1 = boxes[4 * r] * s.Scale - offset, y1 = boxes[4 * r + 1] * s.Scale - offset;
            float roiW = boxes[4 * r + 2] * s.Scale - offset - x1, roiH = boxes[4 * r + 3] * s.Scale - offset - y1;
            if (!s.HalfPixel) (roiW, roiH) = (Math.Max(roiW, 1f), Math.Max(roiH, 1f));
            float binH = roiH / s.Height, binW = roiW / s.Width;
            int gridH = s.SamplingRatio > 0 ? s.SamplingRatio : (int)MathF.Ceiling(roiH / s.Height);
            int gridW = s.SamplingRatio > 0 ? s.SamplingRatio : (int)MathF.Ceiling(roiW / s.Width);
            int samples = Math.Max(gridH * gridW, 1), taps = samples * 4;
            var index = new long[s.Height * s.Width * taps];
            var weight = new float[index.Length];
            for (int ph = 0; ph < s.Height; ph++)
                for (int pw = 0; pw < s.Width; pw++)
                    for (int iy = 0; iy < gridH; iy++)
                        for (int ix = 0; ix < gridW; ix++)
                        {
                            float sy = y1 + ph * binH + (iy + 0.5f) * binH / gridH;
                            float sx = x1 + pw * binW + (ix + 0.5f) * binW / gridW;
                            int at = ((ph * s.Width + pw) * samples + iy * gridW + ix) * 4;
                            Corners(sy, sx, h, w, index.AsSpan(at, 4), weight.AsSpan(at, 4));
                        }
            var values = planes.Slice(0, (int)batchIndices[r], (int)batchIndices[r] + 1).Reshape(c, h * w)
                .IndexSelect(1, OpHelpers.LongVector(index)).Reshape(c, s.Height, s.Width, taps);
            var weighted = values * OpHelpers.FloatTensor(weight, new Shape(s.Height, s.Width, taps));
            pooled[r] = s.Max ? weighted.Max(3) : weighted.Sum(3) / samples;
        }
        return pooled.Length == 0 ? Tensor.Zeros(0, c, s.Height, s.Width) : Tensor.Stack(pooled, 0);
    }

    // Bilinear corners (low/high row × low/high column) of point (y, x) and their weights, clamped at the border.
    private static void Corners(float y, float x, int h, int w, Span<long> index, Span<float> weight)
    {
        if (y < -1f || y > h || x < -1f || x > w) return; // weights stay 0
        y = Math.Max(y, 0f);
        x = Math.Max(x, 0f);
        int yLow = (int)y, xLow = (int)x, yHigh, xHigh;
        if (yLow >= h - 1) { yHigh = yLow = h - 1; y = yLow; } else yHigh = yLow + 1;
        if (xLow >= w - 1) { xHigh = xLow = w - 1; x = xLow; } else xHigh = xLow + 1;
        float ly = y - yLow, lx = x - xLow, hy = 1f - ly, hx = 1f - lx;
        index[0] = yLow * w + xLow;
        index[1] = yLow * w + xHigh;
        index[2] = yHigh * w + xLow;
        index[3] = yHigh * w + xHigh;
        (weight[0], weight[1], weight[2], weight[3]) = (hy * hx, hy * lx, ly * hx, ly * lx);
    }
}
