namespace Lumen.Reports.Html;

/// <summary>How wide <see cref="HtmlDocument.Figures"/> shows its images.</summary>
public enum FigureSize
{
    /// <summary>224 pixels: an input image as the model sees it, a heatmap.</summary>
    Normal,

    /// <summary>460 pixels: a chart or a matrix.</summary>
    Wide,

    /// <summary>128 pixels: one of many small examples (a channel's top examples).</summary>
    Thumbnail,
}
