namespace Lumen.Imaging;

/// <summary>
/// Separable convolution resampling that reproduces Pillow's <c>Image.resize</c> (Pillow 9.x, Resample.c) bit for
/// bit on 8-bit images: when downscaling, the filter is stretched by the scale factor (antialiasing).
/// </summary>
/// <remarks>
/// For output index i, with scale s = in/out and f = max(s, 1): centre c = (i + ½)·s, support r = support·f,
/// taps x ∈ [⌊c − r + ½⌋, ⌊c + r + ½⌋) clipped to the image, weights w(x) = K((x − c + ½)/f) normalised to sum 1,
/// then quantised to 22-bit fixed point (rounded half away from zero). Each output is
/// clip((2^21 + Σ w·p) >> 22). The horizontal pass runs first and is rounded to 8 bits before the vertical pass.
/// RGBA images are resampled with premultiplied alpha, as Pillow does.
/// </remarks>
public static class Resampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes <paramref name="image"/> to <paramref name="width"/>×<paramref name="height"/>.</summary>
    /// <exception cref="ArgumentException">When a target dimension is not positive.</exception>
    public static Image Resize(Image image, int width, int height, ResampleFilter filter = ResampleFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"Resize: target size {width}×{height} must be positive (source {image.Width}×{image.Height}).");
        if (width == image.Width && height == image.Height) return image.Clone();
        if (filter == ResampleFilter.Nearest) return ResizeNearest(image, width, height);
        bool premultiply = image.Channels == 4;
        var source = premultiply ? Premultiply(image) : image;
        var result = source;
        if (width != image.Width) result = Pass(result, width, filter, horizontal: true);
        if (height != image.Height) result = Pass(result, height, filter, horizontal: false);
        return premultiply ? Unpremultiply(result) : result;
    }

    /// <summary>Support radius of <paramref name="filter"/> at scale 1.</summary>
    private static double Support(ResampleFilter filter) => filter switch
    {
        ResampleFilter.Box => 0.5,
        ResampleFilter.Bilinear => 1.0,
        ResampleFilter.Bicubic => 2.0,
        _ => 3.0,
    };

    /// <summary>The filter kernel K(x).</summary>
    internal static double Kernel(ResampleFilter filter, double x)
    {
        switch (filter)
        {
            case ResampleFilter.Box:
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            case ResampleFilter.Bilinear:
                x = Math.Abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            case ResampleFilter.Bicubic:
                const double a = -0.5;
                x = Math.Abs(x);
                if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                return 0.0;
            default:
                return x > -3.0 && x < 3.0 ? Sinc(x) * Sinc(x / 3.0) : 0.0;
        }
    }

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    /// <summary>Per output index: first source index, tap count and fixed-point weights (ksize per output).</summary>
    internal static (int[] Start, int[] Count, int[] Weights, int KSize) Coefficients(int inSize, int outSize, ResampleFilter filter)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = Support(filter) * filterScale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * ksize];
        var k = new double[ksize];
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double total = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Kernel(filter, (x + xmin - center + 0.5) * ss);
                k[x] = w;
                total += w;
            }
            for (int x = 0; x < xmax; x++)
            {
                double w = total != 0.0 ? k[x] / total : k[x];
                weights[i * ksize + x] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            }
            start[i] = xmin;
            count[i] = Math.Max(xmax, 0);
        }
        return (start, count, weights, ksize);
    }

    private static Image Pass(Image src, int outSize, ResampleFilter filter, bool horizontal)
    {
        int inSize = horizontal ? src.Width : src.Height;
        var (start, count, weights, ksize) = Coefficients(inSize, outSize, filter);
        int w = horizontal ? outSize : src.Width, h = horizontal ? src.Height : outSize, c = src.Channels;
        var dst = new Image(w, h, c);
        byte[] s = src.Pixels, d = dst.Pixels;
        int srcStride = src.Stride;
        // Step between consecutive taps in the source buffer.
        int tap = horizontal ? c : srcStride;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = horizontal ? x : y;
                int baseIndex = horizontal ? y * srcStride + start[i] * c : start[i] * srcStride + x * c;
                int wOffset = i * ksize;
                for (int ch = 0; ch < c; ch++)
                {
                    int acc = 1 << (PrecisionBits - 1);
                    int p = baseIndex + ch;
                    for (int t = 0; t < count[i]; t++, p += tap) acc += s[p] * weights[wOffset + t];
                    d[(y * w + x) * c + ch] = Clip8(acc);
                }
            }
        return dst;
    }

    private static byte Clip8(int v) => v >= 1 << PrecisionBits << 8 ? (byte)255 : v <= 0 ? (byte)0 : (byte)(v >> PrecisionBits);

    private static Image ResizeNearest(Image src, int width, int height)
    {
        var dst = new Image(width, height, src.Channels);
        int[] xs = NearestIndices(src.Width, width), ys = NearestIndices(src.Height, height);
        int c = src.Channels;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                Array.Copy(src.Pixels, (ys[y] * src.Width + xs[x]) * c, dst.Pixels, (y * width + x) * c, c);
        return dst;
    }

    /// <summary>Source index of each output index for nearest-neighbour scaling, accumulated exactly as Pillow's
    /// affine scaler does (x₀ = s/2, x_{i+1} = x_i + s, index ⌊x_i⌋), so that ties round the same way.</summary>
    internal static int[] NearestIndices(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize, pos = scale * 0.5;
        var indices = new int[outSize];
        for (int i = 0; i < outSize; i++)
        {
            indices[i] = Math.Min((int)pos, inSize - 1);
            pos += scale;
        }
        return indices;
    }

    /// <summary>RGBA → premultiplied RGBa with Pillow's rounding: v·a/255 as ((t >> 8) + t) >> 8, t = v·a + 128.</summary>
    private static Image Premultiply(Image src)
    {
        var dst = src.Clone();
        var p = dst.Pixels;
        for (int i = 0; i < p.Length; i += 4)
            for (int k = 0; k < 3; k++)
            {
                int t = p[i + k] * p[i + 3] + 128;
                p[i + k] = (byte)(((t >> 8) + t) >> 8);
            }
        return dst;
    }

    /// <summary>Premultiplied RGBa → RGBA: v·255/a (integer division, clipped), unchanged where a is 0 or 255.</summary>
    private static Image Unpremultiply(Image src)
    {
        var p = src.Pixels;
        for (int i = 0; i < p.Length; i += 4)
        {
            int a = p[i + 3];
            if (a is 0 or 255) continue;
            for (int k = 0; k < 3; k++) p[i + k] = (byte)Math.Min(255, 255 * p[i + k] / a);
        }
        return src;
    }
}
