namespace Lumen.Analysis.Dissection;

/// <summary>The pixels of one image that show one concept.</summary>
/// <param name="Concept">Index of the concept in <see cref="ConceptSet.Concepts"/>.</param>
/// <param name="Pixels">Row-major [height × width]: true where the concept is.</param>
public sealed record ConceptMask(int Concept, bool[] Pixels)
{
    /// <summary>Number of pixels that show the concept.</summary>
    public int Area => Pixels.Count(p => p);
}
