using Lumen.Imaging;
using Lumen.NN;

namespace Lumen.Zoo;

/// <summary>A loaded zoo model: the module, its labels and its preprocessing.</summary>
/// <param name="Descriptor">The descriptor it was loaded from.</param>
/// <param name="Module">The runnable model (every node output is a hook point).</param>
/// <param name="Labels">Class names by output index.</param>
/// <param name="Preprocess">How an image becomes the model's input.</param>
public sealed record ZooModel(ModelDescriptor Descriptor, Module Module, IReadOnlyList<string> Labels, Preprocess Preprocess)
{
    /// <summary>The label of class <paramref name="index"/>, or "class N" past the end of the label list.</summary>
    public string Label(int index) => index >= 0 && index < Labels.Count ? Labels[index] : $"class {index}";

    /// <summary>Finds a class by index ("207"), exact label, or a unique case-insensitive substring of one.</summary>
    public int FindClass(string query) => ClassLookup.Find(Labels, query, Descriptor.Name);
}
