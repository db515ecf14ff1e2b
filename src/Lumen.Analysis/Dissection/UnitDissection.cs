using Lumen.Analysis.Recording;

namespace Lumen.Analysis.Dissection;

/// <summary>What network dissection found for one unit (channel) of a hook point.</summary>
/// <param name="Unit">The channel index.</param>
/// <param name="Threshold">T_k: the unit fires where its (upsampled) activation exceeds this.</param>
/// <param name="Concept">Index of the concept with the highest IoU (see <see cref="DissectionResult.Concepts"/>).</param>
/// <param name="Iou">That concept's IoU over the whole set.</param>
/// <param name="Interpretable">Whether <paramref name="Iou"/> exceeds the options' threshold.</param>
/// <param name="Examples">The unit's top-activating images (by maximum activation) with their activation maps.</param>
/// <param name="Saturated">The threshold is a tie at the unit's maximum (more than a fraction q of its activations
/// equal the maximum, as when ReLU6 saturates at 6), so the unit fires where its activation reaches T_k rather than
/// where it exceeds it — otherwise it could never fire.</param>
public sealed record UnitDissection(int Unit, float Threshold, int Concept, double Iou, bool Interpretable, IReadOnlyList<TopExample> Examples, bool Saturated = false)
{
    /// <summary>Whether the unit fires at (upsampled) activation <paramref name="value"/>: value &gt; T_k, or value ≥ T_k
    /// when <see cref="Saturated"/>.</summary>
    public bool Fires(float value) => Saturated ? value >= Threshold : value > Threshold;
}
