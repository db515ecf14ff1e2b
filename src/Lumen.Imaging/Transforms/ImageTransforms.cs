namespace Lumen.Imaging;

/// <summary>Geometric operations on <see cref="Image"/>: resize, crop, centre-crop, letterbox and the classifier
/// recipe "resize the shorter side, then centre-crop".</summary>
public static class ImageTransforms
{
    /// <summary>Resizes to <paramref name="width"/>×<paramref name="height"/> with Pillow-compatible resampling
    /// (see <see cref="Resampler"/>).</summary>
    public static Image Resize(this Image image, int width, int height, ResampleFilter filter = ResampleFilter.Bilinear) =>
        Resampler.Resize(image, width, height, filter);

    /// <summary>Scales so that the shorter side becomes <paramref name="size"/>, keeping the aspect ratio; the longer
    /// side becomes round(long · size / short) with round-half-to-even (Python's <c>round</c>).</summary>
    /// <exception cref="ArgumentException">When <paramref name="size"/> is not positive.</exception>
    public static Image ResizeShorterSide(this Image image, int size, ResampleFilter filter = ResampleFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (size <= 0) throw new ArgumentException($"ResizeShorterSide: size must be positive, got {size}.", nameof(size));
        int w = image.Width, h = image.Height;
        int longSide(int l, int s) => Math.Max(1, (int)Math.Round((double)l * size / s, MidpointRounding.ToEven));
        return w <= h ? image.Resize(size, longSide(h, w), filter) : image.Resize(longSide(w, h), size, filter);
    }

    /// <summary>Copies the <paramref name="width"/>×<paramref name="height"/> rectangle whose top-left corner is
    /// (<paramref name="x"/>, <paramref name="y"/>).</summary>
    /// <exception cref="ArgumentException">When the rectangle is empty or not inside the image.</exception>
    public static Image Crop(this Image image, int x, int y, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width <= 0 || height <= 0 || x < 0 || y < 0 || x + width > image.Width || y + height > image.Height)
            throw new ArgumentException($"Crop: rectangle ({x}, {y}) {width}×{height} is not inside the {image.Width}×{image.Height} image.");
        var dst = new Image(width, height, image.Channels);
        int c = image.Channels;
        for (int row = 0; row < height; row++)
            Array.Copy(image.Pixels, ((y + row) * image.Width + x) * c, dst.Pixels, row * width * c, width * c);
        return dst;
    }

    /// <summary>Crops the central <paramref name="width"/>×<paramref name="height"/> region; the left/top offset is
    /// ⌊(W − width)/2⌋, ⌊(H − height)/2⌋.</summary>
    /// <exception cref="ArgumentException">When the crop is larger than the image.</exception>
    public static Image CenterCrop(this Image image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width > image.Width || height > image.Height || width <= 0 || height <= 0)
            throw new ArgumentException($"CenterCrop: {width}×{height} does not fit in the {image.Width}×{image.Height} image.");
        return image.Crop((image.Width - width) / 2, (image.Height - height) / 2, width, height);
    }

    /// <summary>Resizes the shorter side to <paramref name="resize"/>, then centre-crops <paramref name="crop"/>×<paramref name="crop"/>
    /// (the usual ImageNet evaluation recipe, e.g. 256 → 224, or 224 → 224).</summary>
    public static Image ResizeAndCenterCrop(this Image image, int resize, int crop, ResampleFilter filter = ResampleFilter.Bilinear) =>
        image.ResizeShorterSide(resize, filter).CenterCrop(crop, crop);

    /// <summary>Fits the whole image inside <paramref name="width"/>×<paramref name="height"/> keeping its aspect ratio,
    /// and pads the rest symmetrically with <paramref name="fill"/> (applied to every channel; alpha padding is
    /// opaque).</summary>
    /// <exception cref="ArgumentException">When a target dimension is not positive.</exception>
    public static Image Letterbox(this Image image, int width, int height, byte fill = 0, ResampleFilter filter = ResampleFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width <= 0 || height <= 0) throw new ArgumentException($"Letterbox: target size {width}×{height} must be positive.");
        double scale = Math.Min((double)width / image.Width, (double)height / image.Height);
        int w = Math.Clamp((int)Math.Round(image.Width * scale), 1, width), h = Math.Clamp((int)Math.Round(image.Height * scale), 1, height);
        var scaled = image.Resize(w, h, filter);
        var dst = new Image(width, height, image.Channels);
        Array.Fill(dst.Pixels, fill);
        if (image.Channels == 4)
            for (int i = 3; i < dst.Pixels.Length; i += 4) dst.Pixels[i] = 255;
        int ox = (width - w) / 2, oy = (height - h) / 2, c = image.Channels;
        for (int row = 0; row < h; row++)
            Array.Copy(scaled.Pixels, row * w * c, dst.Pixels, ((oy + row) * width + ox) * c, w * c);
        return dst;
    }
}
