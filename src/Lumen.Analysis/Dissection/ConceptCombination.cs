namespace Lumen.Analysis.Dissection;

/// <summary>A concept learned as a non-negative combination of a layer's units (<see cref="Net2Vec"/>), compared on
/// held-out images with the best single unit.</summary>
/// <param name="Concept">Index of the concept.</param>
/// <param name="Weights">Per unit, the learned weight (on activations divided by the unit's threshold).</param>
/// <param name="Bias">The learned bias.</param>
/// <param name="Iou">Set IoU of the combined mask (z &gt; 0) over the held-out images.</param>
/// <param name="BestUnit">The single unit with the highest IoU for the concept on the training images.</param>
/// <param name="BestUnitIou">That unit's IoU over the held-out images.</param>
public sealed record ConceptCombination(int Concept, IReadOnlyList<float> Weights, float Bias, double Iou, int BestUnit, double BestUnitIou)
{
    /// <summary>How much the combination improves on the best single unit: <see cref="Iou"/> − <see cref="BestUnitIou"/>.</summary>
    public double Gain => Iou - BestUnitIou;
}
