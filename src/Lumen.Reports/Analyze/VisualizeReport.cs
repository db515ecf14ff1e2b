using Lumen.Analysis.Visualization;
using Lumen.Imaging;
using Lumen.Tensors;

namespace Lumen.Reports.Analyze;

/// <summary>A feature-visualization run as the report shows it.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Objective">The objective, in words.</param>
/// <param name="Captions">One caption per optimised image (e.g. the channel).</param>
/// <param name="Result">The optimisation result; with one objective term per image, the term values are per image.</param>
/// <param name="Options">The options used.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Created">When it ran (UTC).</param>
public sealed record VisualizeReport(string Model, string Objective, IReadOnlyList<string> Captions, FeatureVisualizationResult Result,
    FeatureVisualizationOptions Options, double Seconds, DateTime Created)
{
    /// <summary>Optimised image <paramref name="index"/> as an 8-bit RGB image.</summary>
    public Image Image(int index) => ToImage(Result.Images, index);

    /// <summary>Start image <paramref name="index"/> as an 8-bit RGB image.</summary>
    public Image StartImage(int index) => ToImage(Result.StartImages, index);

    /// <summary>Every optimised image in a grid with its caption, <paramref name="columns"/> per row.</summary>
    public Image Grid(int columns = 4) =>
        ImageGrid.Compose([.. Enumerable.Range(0, Captions.Count).Select(i => (Image(i), (string?)Captions[i]))], columns, padding: 4, background: 255, captionScale: 1);

    private static Image ToImage(Tensor rgb, int index) =>
        ImageTensor.ToImage(rgb.Slice(0, index, index + 1), Preprocess.UnitRgb);
}
