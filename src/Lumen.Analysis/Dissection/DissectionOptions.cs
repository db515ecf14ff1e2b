namespace Lumen.Analysis.Dissection;

/// <summary>Options of <see cref="NetworkDissection"/>.</summary>
public sealed record DissectionOptions
{
    /// <summary>The hook points (dotted module names) whose units (channels, axis 1 of a [B, C, H, W] activation) are dissected.</summary>
    public IReadOnlyList<string> HookPoints { get; init; } = [];

    /// <summary>The top quantile q of each unit's activations above which it counts as firing (Bau et al.: 0.005).</summary>
    public double Quantile { get; init; } = 0.005;

    /// <summary>A unit is interpretable when its best concept's IoU exceeds this (Bau et al.: 0.04).</summary>
    public double IouThreshold { get; init; } = 0.04;

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Top-activating images kept per unit (with their activation maps) to show the unit.</summary>
    public int ExamplesPerUnit { get; init; } = 4;

    /// <summary>Upper bound, in bytes, on the top-quantile heaps of one hook point (q·images·positions·units·4) and on
    /// its kept example maps; refused with a message when exceeded, so memory stays bounded.</summary>
    public long MemoryBudget { get; init; } = 256L << 20;

    /// <summary>Also learn each concept as a combination of units (Net2Vec); null skips it.</summary>
    public Net2VecOptions? Net2Vec { get; init; } = new();
}
