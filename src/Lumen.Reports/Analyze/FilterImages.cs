using Lumen.Imaging;
using Lumen.Tensors;

namespace Lumen.Reports.Analyze;

/// <summary>Draws convolution filters [O, C, kh, kw] (C = 1 or 3) as a grid of small images: each weight maps to
/// ½ + w/(2·max|w|) with the maximum taken over its own filter, so zero is mid-grey and every filter's pattern shows
/// whatever its norm (the norms are in the weight statistics); each is enlarged.</summary>
public static class FilterImages
{
    /// <summary>The grid image of the filters, <paramref name="columns"/> per row, each enlarged <paramref name="zoom"/> times.</summary>
    /// <exception cref="ArgumentException">The weight is not [O, 1 or 3, kh, kw].</exception>
    public static Image Render(Tensor weight, int columns = 8, int zoom = 12)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 4 || weight.Shape[1] is not (1 or 3)) throw new ArgumentException($"FilterImages: expected [O, 1 or 3, kh, kw], got {weight.Shape}.");
        int o = weight.Shape[0], c = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        var w = weight.ToArray();
        int size = c * kh * kw;
        var tiles = new List<(Image, string?)>();
        for (int f = 0; f < o; f++)
        {
            float max = w.AsSpan(f * size, size).ToArray().Max(Math.Abs);
            if (max == 0) max = 1;
            var tile = new Image(kw, kh, c);
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < kh * kw; p++)
                    tile.Pixels[p * c + ch] = (byte)Math.Clamp(Math.Round(255 * (0.5 + w[(f * c + ch) * kh * kw + p] / (2 * max))), 0, 255);
            tiles.Add((tile.Resize(kw * zoom, kh * zoom, ResampleFilter.Nearest), null));
        }
        return ImageGrid.Compose(tiles, columns, padding: 2, background: 255);
    }
}
