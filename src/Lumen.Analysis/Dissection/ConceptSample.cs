using Lumen.Tensors;

namespace Lumen.Analysis.Dissection;

/// <summary>One image of a <see cref="ConceptSet"/> with its per-pixel concept labels.</summary>
/// <param name="Name">The image's name (file name, or what was generated).</param>
/// <param name="Image">RGB values in [0, 1], [3, H, W].</param>
/// <param name="Masks">One mask per concept present in the image (absent concepts have none: an empty mask); a
/// pixel may carry several concepts (a colour and a texture).</param>
public sealed record ConceptSample(string Name, Tensor Image, IReadOnlyList<ConceptMask> Masks);
