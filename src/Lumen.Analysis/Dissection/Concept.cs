namespace Lumen.Analysis.Dissection;

/// <summary>A visual concept that pixels of a <see cref="ConceptSet"/> are labelled with.</summary>
/// <param name="Name">The concept's name, e.g. <c>red</c>, <c>stripes-45</c>, <c>circle</c>.</param>
/// <param name="Category">Its category, e.g. <c>color</c>, <c>texture</c>, <c>shape</c> (Broden's are colour,
/// texture, material, part, object and scene).</param>
public sealed record Concept(string Name, string Category);
