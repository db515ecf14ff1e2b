using Lumen.Tensors;

namespace Lumen.Metrics.Localisation;

/// <summary>Focus: on a 2×2 mosaic of images, the share of positive relevance that falls on the quadrants showing the
/// target class. Build the mosaic and its quadrant mask with <see cref="Mosaic"/>.</summary>
/// <remarks>Focus = Σ_{i∈target quadrants} max(rᵢ, 0) / Σᵢ max(rᵢ, 0). Arias-Duart et al., "Focus! Rating XAI methods and
/// finding biases" (FUZZ-IEEE 2022), https://arxiv.org/abs/2109.15035</remarks>
/// <example><code>var (mosaic, mask) = Focus.Mosaic([cat1, dog1, cat2, dog2], [true, false, true, false]);
/// var focus = new Focus().Evaluate(new MetricInput(model, mosaic, map, target) { Mask = mask }).Value;</code></example>
public sealed class Focus : LocalisationMetric
{
    /// <inheritdoc/>
    public override string Name => "focus";

    /// <inheritdoc/>
    protected override double Score(double[] relevance, bool[] mask) => AttributionLocalisation.PositiveShare(relevance, mask);

    /// <summary>Tiles four images [1, C, H, W] as top-left, top-right, bottom-left, bottom-right into one
    /// [1, C, 2H, 2W] mosaic, and returns the mask [1, 2H, 2W] of the quadrants flagged in <paramref name="target"/>.</summary>
    public static (Tensor Mosaic, Tensor Mask) Mosaic(IReadOnlyList<Tensor> images, IReadOnlyList<bool> target)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(target);
        if (images.Count != 4 || target.Count != 4) throw new ArgumentException($"Focus.Mosaic: needs 4 images and 4 flags, got {images.Count} and {target.Count}.");
        var shape = images[0].Shape;
        if (shape.Rank != 4 || shape[0] != 1 || images.Any(i => i.Shape != shape))
            throw new ArgumentException($"Focus.Mosaic: the images must share one shape [1, C, H, W], got {string.Join(", ", images.Select(i => i.Shape))}.");
        int c = shape[1], h = shape[2], w = shape[3];
        var mosaic = new float[c * 4 * h * w];
        var mask = new float[4 * h * w];
        for (int q = 0; q < 4; q++)
        {
            int top = q / 2 * h, left = q % 2 * w;
            var src = images[q].AsReadOnlySpan();
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    src.Slice(ch * h * w + y * w, w).CopyTo(mosaic.AsSpan(ch * 4 * h * w + (top + y) * 2 * w + left, w));
            if (target[q])
                for (int y = 0; y < h; y++) Array.Fill(mask, 1f, (top + y) * 2 * w + left, w);
        }
        return (Tensor.FromArray(mosaic, 1, c, 2 * h, 2 * w), Tensor.FromArray(mask, 1, 2 * h, 2 * w));
    }
}
