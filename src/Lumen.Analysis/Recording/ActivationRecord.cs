namespace Lumen.Analysis.Recording;

/// <summary>The result of an <see cref="ActivationRecorder"/>: how many examples were streamed and what each hook
/// point recorded.</summary>
/// <param name="Examples">Number of examples recorded.</param>
/// <param name="HookPoints">One record per requested hook point, in the requested order.</param>
public sealed record ActivationRecord(int Examples, IReadOnlyList<HookPointRecord> HookPoints)
{
    /// <summary>The record of <paramref name="hookPoint"/>.</summary>
    /// <exception cref="KeyNotFoundException">That hook point was not recorded.</exception>
    public HookPointRecord this[string hookPoint] =>
        HookPoints.FirstOrDefault(h => h.HookPoint == hookPoint)
        ?? throw new KeyNotFoundException($"ActivationRecord: '{hookPoint}' was not recorded; recorded: {string.Join(", ", HookPoints.Select(h => h.HookPoint))}.");
}
