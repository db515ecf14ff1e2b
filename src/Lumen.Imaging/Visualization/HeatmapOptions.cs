namespace Lumen.Imaging;

/// <summary>How <see cref="Heatmap"/> turns a 2-D map into colours.</summary>
public sealed record HeatmapOptions
{
    /// <summary>The colour ramp; a diverging map (the default) renders signed values with zero at its centre.</summary>
    public Colormap Colormap { get; init; } = Colormap.RedBlue;

    /// <summary>Percentile of |value| (diverging) or of value (sequential) that maps to the end of the ramp; values
    /// beyond it saturate. 100 uses the maximum.</summary>
    public double ClipPercentile { get; init; } = 99.5;

    /// <summary>Opacity of the heatmap over an overlay image, 0 (image only) to 1 (heatmap only).</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>When true, each pixel's opacity is additionally scaled by its normalised magnitude, so that
    /// near-zero attribution leaves the image visible.</summary>
    public bool AlphaByMagnitude { get; init; }

    /// <summary>Reduction used when the map has channels ([C, H, W] or [1, C, H, W]).</summary>
    public ChannelReduction Reduction { get; init; } = ChannelReduction.Sum;

    /// <summary>Sequential rendering of unsigned magnitudes with inferno, clipping at the 99th percentile and
    /// max-|·| channel reduction (saliency-map style).</summary>
    public static HeatmapOptions Magnitude { get; } = new()
    {
        Colormap = Colormap.Inferno,
        ClipPercentile = 99,
        Reduction = ChannelReduction.MaxAbs,
        AlphaByMagnitude = true,
    };
}
