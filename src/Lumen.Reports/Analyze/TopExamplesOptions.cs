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
}
