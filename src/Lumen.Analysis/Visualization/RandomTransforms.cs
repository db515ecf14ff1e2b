using Lumen.Tensors;

namespace Lumen.Analysis.Visualization;

/// <summary>Differentiable random jitter, scale and rotation of a batch of images [B, C, H, W], keeping H × W.</summary>
/// <remarks>Jitter shifts with reflect padding; scaling resizes bilinearly, then centre-crops or reflect-pads back;
/// rotation samples bilinearly about the centre with edge clamping, through four index selections with constant
/// weights, so gradients flow to the image.</remarks>
internal static class RandomTransforms
{
    public static Tensor Apply(Tensor x, TransformationRobustness t, Random rng)
    {
        x = Jitter(x, t.Jitter, rng);
        if (t.Scale.Max > t.Scale.Min || t.Scale.Min != 1f) x = Scale(x, t.Scale.Min + (float)rng.NextDouble() * (t.Scale.Max - t.Scale.Min));
        if (t.RotationDegrees > 0) x = Rotate(x, (rng.NextDouble() * 2 - 1) * t.RotationDegrees);
        return Jitter(x, t.Jitter / 2, rng);
    }

    private static Tensor Jitter(Tensor x, int jitter, Random rng)
    {
        jitter = Math.Min(jitter, Math.Min(x.Shape[2], x.Shape[3]) / 2 - 1); // reflect padding needs the shift below half the side
        if (jitter <= 0) return x;
        int dy = rng.Next(-jitter, jitter + 1), dx = rng.Next(-jitter, jitter + 1);
        return x.Pad([0, 0, dy, dx, 0, 0, -dy, -dx], PadMode.Reflect);
    }

    private static Tensor Scale(Tensor x, float factor)
    {
        int h = x.Shape[2], w = x.Shape[3];
        int nh = Math.Max(2, (int)Math.Round(h * factor)), nw = Math.Max(2, (int)Math.Round(w * factor));
        if (nh == h && nw == w) return x;
        var resized = x.Resize(nh, nw);
        int top = (nh - h) / 2, left = (nw - w) / 2; // > 0: crop, < 0: pad
        return resized.Pad([0, 0, -top, -left, 0, 0, -(nh - h - top), -(nw - w - left)], PadMode.Reflect);
    }

    private static Tensor Rotate(Tensor x, double degrees)
    {
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        double angle = degrees * Math.PI / 180, cos = Math.Cos(angle), sin = Math.Sin(angle);
        double cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
        var indices = new long[4][];
        var weights = new float[4][];
        for (int k = 0; k < 4; k++) { indices[k] = new long[h * w]; weights[k] = new float[h * w]; }
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++)
            {
                double sy = cy + (y - cy) * cos - (xx - cx) * sin, sx = cx + (y - cy) * sin + (xx - cx) * cos;
                sy = Math.Clamp(sy, 0, h - 1);
                sx = Math.Clamp(sx, 0, w - 1);
                int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx), y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
                double fy = sy - y0, fx = sx - x0;
                int p = y * w + xx;
                (indices[0][p], weights[0][p]) = (y0 * w + x0, (float)((1 - fy) * (1 - fx)));
                (indices[1][p], weights[1][p]) = (y0 * w + x1, (float)((1 - fy) * fx));
                (indices[2][p], weights[2][p]) = (y1 * w + x0, (float)(fy * (1 - fx)));
                (indices[3][p], weights[3][p]) = (y1 * w + x1, (float)(fy * fx));
            }
        var flat = x.Reshape(b * c, h * w);
        Tensor? sum = null;
        for (int k = 0; k < 4; k++)
        {
            var term = flat.IndexSelect(1, Tensor.FromArray(indices[k], h * w)) * Tensor.FromArray(weights[k], 1, h * w);
            sum = sum is null ? term : sum + term;
        }
        return sum!.Reshape(b, c, h, w);
    }
}
