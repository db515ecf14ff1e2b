using Lumen.Imaging;
using Lumen.Tensors;

namespace Lumen.Reports.Explain;

/// <summary>Everything one <c>lumen explain</c> run produced.</summary>
/// <param name="Model">The classifier's name.</param>
/// <param name="Images">One entry per input image, in the order given.</param>
/// <param name="Created">When the run finished (UTC).</param>
public sealed record ExplainReport(string Model, IReadOnlyList<ImageExplanation> Images, DateTime Created)
{
    /// <summary>The per-method options the methods ran with (none: every method used its defaults).</summary>
    public IReadOnlyList<Lumen.Attribution.MethodSetting> Settings { get; init; } = [];
}

/// <summary>One image: what the model predicted and each method's explanation of the target class.</summary>
/// <param name="Name">The image's file name without extension (used in output file names).</param>
/// <param name="Input">The image as the model saw it (after resize and crop).</param>
/// <param name="Predictions">The top-k classes, highest first.</param>
/// <param name="Target">The explained class.</param>
/// <param name="Methods">One result per requested method.</param>
public sealed record ImageExplanation(string Name, Image Input, IReadOnlyList<Prediction> Predictions, Prediction Target, IReadOnlyList<MethodResult> Methods);

/// <summary>A class with its score.</summary>
/// <param name="Index">Output index.</param>
/// <param name="Label">Class name.</param>
/// <param name="Probability">Softmax probability (or the model's own probability output).</param>
/// <param name="Score">The raw output value (the logit, unless the model outputs probabilities).</param>
public sealed record Prediction(int Index, string Label, float Probability, float Score);

/// <summary>One method's result on one image.</summary>
/// <param name="Method">Catalog name, e.g. <c>integrated-gradients</c>.</param>
/// <param name="DisplayName">Established name, e.g. Integrated Gradients.</param>
/// <param name="Map">The raw attribution, input-shaped [1, C, H, W]; null when the method failed.</param>
/// <param name="Heatmap">The map rendered alone; null when the method failed.</param>
/// <param name="Overlay">The map blended over the input; null when the method failed.</param>
/// <param name="Seconds">Wall time of the method.</param>
/// <param name="Delta">Completeness error Σ map − (f(x) − f(baseline)), for methods that have one.</param>
/// <param name="Error">Why the method failed, or null.</param>
public sealed record MethodResult(string Method, string DisplayName, Tensor? Map, Image? Heatmap, Image? Overlay, double Seconds, float? Delta, string? Error)
{
    /// <summary>True when the method produced a map.</summary>
    public bool Succeeded => Error is null;
}
