namespace Lumen.Analysis.Dissection;

/// <summary>Network dissection of one hook point.</summary>
/// <param name="HookPoint">The dotted module name.</param>
/// <param name="ExampleShape">The activation's shape for one image, [K, h, w].</param>
/// <param name="Units">One entry per unit, in channel order.</param>
/// <param name="Iou">IoU_{k,c} of every unit k (row) and concept c (column) over the whole set.</param>
/// <param name="Combinations">Net2Vec results for the concepts present in both halves of the set (empty when skipped).</param>
public sealed record LayerDissection(string HookPoint, IReadOnlyList<int> ExampleShape, IReadOnlyList<UnitDissection> Units,
    IReadOnlyList<IReadOnlyList<double>> Iou, IReadOnlyList<ConceptCombination> Combinations)
{
    /// <summary>Number of interpretable units.</summary>
    public int Interpretable => Units.Count(u => u.Interpretable);
}
