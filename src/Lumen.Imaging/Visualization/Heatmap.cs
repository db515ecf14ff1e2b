using Lumen.Tensors;

namespace Lumen.Imaging;

/// <summary>
/// Renders attribution maps: channel reduction, percentile clipping, colour mapping (signed maps symmetric around
/// zero on a diverging ramp, unsigned maps on a sequential one) and alpha blending over the input image.
/// </summary>
/// <example><code>
/// var map = result.Map;                                   // [1, 3, 224, 224]
/// Heatmap.Render(map, overlay: image).SavePng("ig.png");  // RdBu, symmetric, 99.5th-percentile clip
/// Heatmap.Render(map, image, HeatmapOptions.Magnitude).SavePng("saliency.png");
/// </code></example>
public static class Heatmap
{
    /// <summary>Reduces a [H, W], [C, H, W] or [1, C, H, W] Float32 map to [H, W].</summary>
    /// <exception cref="ArgumentException">For other shapes or dtypes.</exception>
    public static Tensor ReduceChannels(Tensor map, ChannelReduction reduction)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.DType != DType.Float32) throw new ArgumentException($"ReduceChannels: expected a Float32 map, got {map.DType} {map.Shape}.");
        var d = map.Shape.Dims;
        bool ok = d.Length == 2 || d.Length == 3 || (d.Length == 4 && d[0] == 1);
        if (!ok || map.Size == 0)
            throw new ArgumentException($"ReduceChannels: expected a non-empty [H, W], [C, H, W] or [1, C, H, W] map, got {map.Shape}.");
        int h = d[^2], w = d[^1], c = d.Length == 2 ? 1 : d[^3], plane = h * w;
        var src = map.AsReadOnlySpan();
        var result = new float[plane]; // [H, W]
        for (int i = 0; i < plane; i++)
        {
            float acc = 0f;
            for (int ch = 0; ch < c; ch++)
            {
                float v = src[ch * plane + i];
                acc = reduction switch
                {
                    ChannelReduction.Sum => acc + v,
                    ChannelReduction.AbsSum => acc + Math.Abs(v),
                    _ => Math.Max(acc, Math.Abs(v)),
                };
            }
            result[i] = acc;
        }
        return Tensor.FromArray(result, h, w);
    }

    /// <summary>The <paramref name="q"/>-th percentile (0..100) of <paramref name="values"/> with linear
    /// interpolation between order statistics (numpy's default): position q/100 · (n − 1). NaNs are ignored.</summary>
    /// <exception cref="ArgumentException">When q is outside 0..100 or there is no finite value.</exception>
    public static double Percentile(ReadOnlySpan<float> values, double q)
    {
        if (q is < 0 or > 100 || double.IsNaN(q)) throw new ArgumentException($"Percentile: q must be in 0..100, got {q}.", nameof(q));
        var sorted = new List<float>(values.Length);
        foreach (float v in values)
            if (!float.IsNaN(v)) sorted.Add(v);
        if (sorted.Count == 0) throw new ArgumentException("Percentile: no non-NaN values.");
        sorted.Sort();
        double pos = q / 100.0 * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /// <summary>Maps each value of a [H, W] map to a ramp position t ∈ [0, 1].</summary>
    /// <remarks>Diverging: t = ½ + ½ · clamp(v / s, −1, 1) with s the ClipPercentile of |v| (zero stays at ½,
    /// +v and −v are symmetric). Sequential: t = clamp((v − min) / (p − min), 0, 1) with p the ClipPercentile of v
    /// and min the smallest value. A constant map gives ½ (diverging) or 0 (sequential).</remarks>
    public static float[] Normalize(Tensor map2d, HeatmapOptions options)
    {
        ArgumentNullException.ThrowIfNull(map2d);
        ArgumentNullException.ThrowIfNull(options);
        var v = map2d.AsReadOnlySpan();
        var t = new float[v.Length];
        if (options.Colormap.IsDiverging)
        {
            var abs = new float[v.Length];
            for (int i = 0; i < v.Length; i++) abs[i] = Math.Abs(v[i]);
            double s = Percentile(abs, options.ClipPercentile);
            for (int i = 0; i < v.Length; i++) t[i] = s > 0 ? (float)(0.5 + 0.5 * Math.Clamp(v[i] / s, -1.0, 1.0)) : 0.5f;
            return t;
        }
        double min = Percentile(v, 0), top = Percentile(v, options.ClipPercentile);
        for (int i = 0; i < v.Length; i++) t[i] = top > min ? (float)Math.Clamp((v[i] - min) / (top - min), 0.0, 1.0) : 0f;
        return t;
    }

    /// <summary>Renders a map ([H, W], [C, H, W] or [1, C, H, W]) as an RGB image, optionally blended over
    /// <paramref name="overlay"/>; when their sizes differ the coloured map is resized (bilinear) to the overlay's
    /// size, so the output always has the overlay's size.</summary>
    /// <exception cref="ArgumentException">For a bad map shape or an alpha outside [0, 1].</exception>
    public static Image Render(Tensor map, Image? overlay = null, HeatmapOptions? options = null)
    {
        options ??= new HeatmapOptions();
        if (options.Alpha is < 0 or > 1) throw new ArgumentException($"Heatmap: alpha must be in [0, 1], got {options.Alpha}.");
        var map2d = ReduceChannels(map, options.Reduction);
        int h = map2d.Shape[0], w = map2d.Shape[1];
        var t = Normalize(map2d, options);
        var heat = new Image(w, h, 3);
        var weight = new Image(w, h, 1); // per-pixel opacity 0..255
        for (int i = 0; i < t.Length; i++)
        {
            var (r, g, b) = options.Colormap.Map(t[i]);
            heat.Pixels[3 * i] = r;
            heat.Pixels[3 * i + 1] = g;
            heat.Pixels[3 * i + 2] = b;
            double magnitude = options.Colormap.IsDiverging ? Math.Abs(t[i] - 0.5) * 2 : t[i];
            double a = options.Alpha * (options.AlphaByMagnitude ? magnitude : 1.0);
            weight.Pixels[i] = (byte)Math.Round(a * 255);
        }
        if (overlay is null) return heat;
        if (overlay.Width != w || overlay.Height != h)
        {
            heat = heat.Resize(overlay.Width, overlay.Height);
            weight = weight.Resize(overlay.Width, overlay.Height);
        }
        return Blend(overlay.ToRgb(), heat, weight);
    }

    /// <summary>Renders a map over the model input it explains: <paramref name="input"/> ([1, C, H, W]) is turned back
    /// into an image by inverting <paramref name="preprocess"/>, then used as the overlay.</summary>
    /// <example><code>
    /// var x = ImageTensor.Load("dog.jpg", Preprocess.SqueezeNet);
    /// Heatmap.Render(attribution, x, Preprocess.SqueezeNet).SavePng("dog_map.png");
    /// </code></example>
    public static Image Render(Tensor map, Tensor input, Preprocess preprocess, HeatmapOptions? options = null) =>
        Render(map, ImageTensor.ToImage(input, preprocess), options);

    /// <summary>out = (1 − a)·background + a·foreground per pixel, a = weight/255.</summary>
    private static Image Blend(Image background, Image foreground, Image weight)
    {
        var result = new Image(background.Width, background.Height, 3);
        for (int i = 0; i < weight.Pixels.Length; i++)
        {
            double a = weight.Pixels[i] / 255.0;
            for (int k = 0; k < 3; k++)
                result.Pixels[3 * i + k] = (byte)Math.Round((1 - a) * background.Pixels[3 * i + k] + a * foreground.Pixels[3 * i + k]);
        }
        return result;
    }

    /// <summary>A horizontal colour bar (<paramref name="width"/>×<paramref name="height"/>) of <paramref name="colormap"/>,
    /// t = 0 at the left, for legends.</summary>
    public static Image ColorBar(Colormap colormap, int width = 256, int height = 12)
    {
        ArgumentNullException.ThrowIfNull(colormap);
        var bar = new Image(width, height, 3);
        for (int x = 0; x < width; x++)
        {
            var (r, g, b) = colormap.Map(width == 1 ? 0 : (double)x / (width - 1));
            for (int y = 0; y < height; y++)
            {
                bar[x, y, 0] = r;
                bar[x, y, 1] = g;
                bar[x, y, 2] = b;
            }
        }
        return bar;
    }
}
