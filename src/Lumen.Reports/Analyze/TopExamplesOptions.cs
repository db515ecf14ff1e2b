using Lumen.Analysis.Recording;

namespace Lumen.Reports.Analyze;

/// <summary>Options of <see cref="TopExamplesJob"/>.</summary>
public sealed record TopExamplesOptions
{
    /// <summary>The hook points to record.</summary>
    public IReadOnlyList<string> HookPoints { get; init; } = [];

    /// <summary>Top examples kept per channel.</summary>
    public int TopK { get; init; } = 8;

    /// <summary>How an example's map is scored.</summary>
    public ChannelScore Score { get; init; } = ChannelScore.Max;

    /// <summary>Examples per forward pass.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The channels shown in the report; null shows the first <see cref="ShownChannels"/>.</summary>
    public IReadOnlyList<int>? Channels { get; init; }

    /// <summary>How many channels are shown when <see cref="Channels"/> is null.</summary>
    public int ShownChannels { get; init; } = 8;

    /// <summary>A checkpoint file: the recorder's state is saved there every <see cref="CheckpointEvery"/> batches and
    /// at the end (written to a temporary file, then moved), so an interrupted run can continue with <see cref="Resume"/>.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Batches between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 10;

    /// <summary>Continue from <see cref="Checkpoint"/> when it exists (it must have been recorded on the same examples
    /// with the same hook points, top-k and score).</summary>
    public bool Resume { get; init; }
}
