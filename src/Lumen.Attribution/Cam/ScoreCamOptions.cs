using Lumen.Attribution.Common;

namespace Lumen.Attribution.Cam;

/// <summary>Options of <see cref="ScoreCam"/>.</summary>
public sealed record ScoreCamOptions
{
    /// <summary>The layer, rectification and upsampling of the map, as for the other CAM methods.</summary>
    public CamOptions Cam { get; init; } = new();

    /// <summary>What the input fades to where a channel's mask is 0: x′ + H·(x − x′) (zero: the paper's x ∘ H).</summary>
    public Baseline Baseline { get; init; } = Baseline.Zero;

    /// <summary>Masked inputs per forward pass; null derives it from <see cref="MemoryBudgetBytes"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Memory the activations of one forward pass may use.</summary>
    public long MemoryBudgetBytes { get; init; } = Batching.DefaultMemoryBudgetBytes;
}
