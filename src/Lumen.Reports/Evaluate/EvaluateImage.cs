using Lumen.Imaging;

namespace Lumen.Reports.Evaluate;

/// <summary>One image to evaluate on, with its optional ground-truth mask (nonzero = object) at the image's size.</summary>
/// <param name="Name">Shown in the report.</param>
/// <param name="Image">The image.</param>
/// <param name="Mask">The object mask, or null.</param>
public sealed record EvaluateImage(string Name, Image Image, Image? Mask = null);
