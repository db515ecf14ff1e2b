using Lumen.Imaging;
using Lumen.NN;

namespace Lumen.Reports.Explain;

/// <summary>An image classifier as the explain job needs it: the model, how an image becomes its input, and what
/// its outputs mean. Built from a zoo descriptor or from a user's ONNX file by the CLI.</summary>
/// <param name="Name">Shown in the report, e.g. <c>mobilenetv2</c>.</param>
/// <param name="Module">The model; its output is [B, K] (or [B, K, 1, 1]) class scores.</param>
/// <param name="Labels">Class names by output index (may be empty: classes are then shown as numbers).</param>
/// <param name="Preprocess">How an image becomes the model input.</param>
/// <param name="OutputIsProbability">True when the output is already a softmax; otherwise it holds logits.</param>
public sealed record Classifier(string Name, Module Module, IReadOnlyList<string> Labels, Preprocess Preprocess, bool OutputIsProbability)
{
    /// <summary>The label of class <paramref name="index"/>, or "class N" when there is none.</summary>
    public string Label(int index) => index >= 0 && index < Labels.Count ? Labels[index] : $"class {index}";
}
