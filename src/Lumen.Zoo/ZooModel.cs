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
    public int FindClass(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (int.TryParse(query, out int index))
            return index >= 0 && index < Labels.Count ? index : throw new ArgumentOutOfRangeException(nameof(query), $"Class {index} is out of range: {Descriptor.Name} has {Labels.Count} classes.");
        int exact = Labels.ToList().FindIndex(l => string.Equals(l, query, StringComparison.OrdinalIgnoreCase));
        if (exact >= 0) return exact;
        var matches = Labels.Select((l, i) => (l, i)).Where(p => p.l.Contains(query, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0].i,
            0 => throw new ArgumentException($"No class of {Descriptor.Name} matches '{query}'."),
            _ => throw new ArgumentException($"'{query}' matches {matches.Count} classes of {Descriptor.Name}: {string.Join("; ", matches.Take(5).Select(m => $"{m.i} {m.l}"))}{(matches.Count > 5 ? "; …" : "")}."),
        };
    }
}
