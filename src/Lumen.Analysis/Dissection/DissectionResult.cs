namespace Lumen.Analysis.Dissection;

/// <summary>The result of <see cref="NetworkDissection.Dissect"/>.</summary>
/// <param name="Set">The concept set that was streamed (to show examples).</param>
/// <param name="Options">The options used.</param>
/// <param name="Layers">One entry per hook point, in the requested order.</param>
public sealed record DissectionResult(ConceptSet Set, DissectionOptions Options, IReadOnlyList<LayerDissection> Layers)
{
    /// <summary>The concepts (units and combinations refer to them by index).</summary>
    public IReadOnlyList<Concept> Concepts => Set.Concepts;

    /// <summary>The dissection of <paramref name="hookPoint"/>.</summary>
    /// <exception cref="KeyNotFoundException">That hook point was not dissected.</exception>
    public LayerDissection this[string hookPoint] =>
        Layers.FirstOrDefault(l => l.HookPoint == hookPoint)
        ?? throw new KeyNotFoundException($"DissectionResult: '{hookPoint}' was not dissected; dissected: {string.Join(", ", Layers.Select(l => l.HookPoint))}.");

    /// <summary>Per concept category, the number of interpretable units of <paramref name="layer"/> whose best concept
    /// is in it and the number of distinct such concepts; categories in the order of <see cref="Concepts"/>.</summary>
    public IReadOnlyList<(string Category, int Units, int Concepts)> InterpretableByCategory(LayerDissection layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var units = layer.Units.Where(u => u.Interpretable).ToList();
        return [.. Concepts.Select(c => c.Category).Distinct().Select(category =>
        {
            var inCategory = units.Where(u => Concepts[u.Concept].Category == category).ToList();
            return (category, inCategory.Count, inCategory.Select(u => u.Concept).Distinct().Count());
        })];
    }
}
