namespace Lumen.Analysis.Dissection;

/// <summary>
/// A Broden-like probe data set (Bau et al. 2017): images of one size whose pixels are labelled with
/// <see cref="Concepts"/>. Samples are produced lazily by index, so a dissection streams them in bounded memory.
/// Every image counts as fully annotated: a concept without a mask in an image is absent from all of its pixels.
/// </summary>
/// <example><code>
/// var set = GeneratedConcepts.Create(count: 300, size: 112);       // colours, textures, shapes
/// var first = set.Sample(0);                                        // Image [3, 112, 112], Masks
/// var custom = new ConceptSet("mine", [new("logo", "object")], 10, 64, 64, i => Load(i));
/// </code></example>
public sealed class ConceptSet
{
    private readonly Func<int, ConceptSample> load;

    /// <summary>A set of <paramref name="count"/> images of <paramref name="height"/>×<paramref name="width"/>
    /// pixels produced by <paramref name="load"/>.</summary>
    /// <exception cref="ArgumentException">No concept, a repeated concept name, no image, or a size below 1.</exception>
    public ConceptSet(string description, IReadOnlyList<Concept> concepts, int count, int height, int width, Func<int, ConceptSample> load)
    {
        ArgumentNullException.ThrowIfNull(concepts);
        ArgumentNullException.ThrowIfNull(load);
        if (concepts.Count == 0) throw new ArgumentException("ConceptSet: name at least one concept.", nameof(concepts));
        var repeated = concepts.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"ConceptSet: concept '{repeated.Key}' is named twice.", nameof(concepts));
        if (count < 1 || height < 1 || width < 1) throw new ArgumentException($"ConceptSet: needs at least one image of at least 1×1 pixels, got {count} images of {height}×{width}.");
        Description = description;
        Concepts = concepts;
        Count = count;
        Height = height;
        Width = width;
        this.load = load;
    }

    /// <summary>What the set is, for reports.</summary>
    public string Description { get; }

    /// <summary>The concepts; masks refer to them by index.</summary>
    public IReadOnlyList<Concept> Concepts { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Image and mask height.</summary>
    public int Height { get; }

    /// <summary>Image and mask width.</summary>
    public int Width { get; }

    /// <summary>Image <paramref name="index"/> with its masks, checked against the set's size and concepts.</summary>
    /// <exception cref="InvalidDataException">The loader returned an image or mask of the wrong size, or a mask of an
    /// unknown or repeated concept.</exception>
    public ConceptSample Sample(int index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"ConceptSet: image {index} is out of range; there are {Count}.");
        var sample = load(index);
        if (sample.Image.Rank != 3 || sample.Image.Shape[0] != 3 || sample.Image.Shape[1] != Height || sample.Image.Shape[2] != Width)
            throw new InvalidDataException($"ConceptSet: image {index} ({sample.Name}) is {sample.Image.Shape}; expected [3, {Height}, {Width}].");
        var seen = new HashSet<int>();
        foreach (var mask in sample.Masks)
        {
            if (mask.Concept < 0 || mask.Concept >= Concepts.Count || !seen.Add(mask.Concept))
                throw new InvalidDataException($"ConceptSet: image {index} ({sample.Name}) has a mask of concept {mask.Concept}, unknown or repeated (there are {Concepts.Count}).");
            if (mask.Pixels.Length != Height * Width)
                throw new InvalidDataException($"ConceptSet: image {index} ({sample.Name}) has a mask of {mask.Pixels.Length} pixels for '{Concepts[mask.Concept].Name}'; expected {Height}×{Width}.");
        }
        return sample;
    }
}
