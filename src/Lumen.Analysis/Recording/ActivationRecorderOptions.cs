namespace Lumen.Analysis.Recording;

/// <summary>Options of <see cref="ActivationRecorder"/>.</summary>
public sealed record ActivationRecorderOptions
{
    /// <summary>The hook points (dotted module names) to record; at least one.</summary>
    public IReadOnlyList<string> HookPoints { get; init; } = [];

    /// <summary>How many top-activating examples to keep per channel.</summary>
    public int TopK { get; init; } = 9;

    /// <summary>How an example's activation map is reduced to the score that ranks it.</summary>
    public ChannelScore Score { get; init; } = ChannelScore.Max;

    /// <summary>Keep each top example's activation map for the channel (the activating region) besides its argmax.</summary>
    public bool KeepMaps { get; init; } = true;

    /// <summary>Upper bound, in bytes, on the kept maps of one hook point (TopK × channels × positions × 4); a hook
    /// point that would exceed it is refused with a message, so memory stays bounded whatever the dataset size.</summary>
    public long MapMemoryBudget { get; init; } = 256L << 20;
}
