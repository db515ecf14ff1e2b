namespace Lumen.Analysis.Recording;

/// <summary>What <see cref="ActivationRecorder"/> recorded at one hook point.</summary>
/// <param name="HookPoint">The dotted module name.</param>
/// <param name="ExampleShape">The activation's shape for one example (without the batch axis).</param>
/// <param name="Statistics">Per channel (axis 1 of the activation).</param>
/// <param name="TopExamples">Per channel, the top examples by descending score (ties: lower example index first).</param>
public sealed record HookPointRecord(string HookPoint, IReadOnlyList<int> ExampleShape, IReadOnlyList<ChannelStatistics> Statistics,
    IReadOnlyList<IReadOnlyList<TopExample>> TopExamples)
{
    /// <summary>Number of channels.</summary>
    public int Channels => Statistics.Count;
}
