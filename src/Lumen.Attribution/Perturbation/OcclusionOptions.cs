using Lumen.Attribution.Common;

namespace Lumen.Attribution.Perturbation;

/// <summary>Options of <see cref="Occlusion"/>.</summary>
public sealed record OcclusionOptions
{
    /// <summary>The sliding window over the trailing dimensions of a row; leading dimensions it leaves out are
    /// covered whole (so [16, 16] on a [3, 224, 224] image occludes all channels of a 16×16 patch). A window larger
    /// than the input along a dimension is clipped to it.</summary>
    public int[] Window { get; init; } = [16, 16];

    /// <summary>The step of the window along the same dimensions.</summary>
    public int[] Strides { get; init; } = [8, 8];

    /// <summary>What the occluded window is replaced by.</summary>
    public Baseline Baseline { get; init; } = Baseline.Zero;

    /// <summary>Recompute only what each occluded patch can reach (exact; see <see cref="Occlusion"/>), where the
    /// model allows it; false always runs full forward passes.</summary>
    public bool Incremental { get; init; } = true;

    /// <summary>Perturbed rows per forward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one forward pass may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}
