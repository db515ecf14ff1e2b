namespace Lumen.Zoo;

/// <summary>Finds a class of a labelled classifier from what a user types: an index, a label, or a unique part of
/// one.</summary>
public static class ClassLookup
{
    /// <summary>The class index for <paramref name="query"/>: an integer index ("207"), an exact label
    /// (case-insensitive), or a case-insensitive substring matching exactly one label.</summary>
    /// <exception cref="ArgumentException">No class or several classes match; the message lists candidates.</exception>
    public static int Find(IReadOnlyList<string> labels, string query, string modelName)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(query);
        if (int.TryParse(query, out int index))
            return index >= 0 && (labels.Count == 0 || index < labels.Count) ? index
                : throw new ArgumentOutOfRangeException(nameof(query), $"Class {index} is out of range: {modelName} has {labels.Count} classes.");
        if (labels.Count == 0) throw new ArgumentException($"'{query}': {modelName} has no labels; give a class index.");
        var exact = labels.Select((l, i) => (Label: l, Index: i)).Where(p => string.Equals(p.Label, query, StringComparison.OrdinalIgnoreCase)).ToList();
        var matches = exact.Count > 0 ? exact : [.. labels.Select((l, i) => (Label: l, Index: i)).Where(p => p.Label.Contains(query, StringComparison.OrdinalIgnoreCase))];
        return matches.Count switch
        {
            1 => matches[0].Index,
            0 => throw new ArgumentException($"No class of {modelName} matches '{query}'."),
            _ => throw new ArgumentException($"'{query}' matches {matches.Count} classes of {modelName}: {string.Join("; ", matches.Take(5).Select(m => $"{m.Index} {m.Label}"))}{(matches.Count > 5 ? "; …" : "")}. Give the index or a longer label."),
        };
    }
}
