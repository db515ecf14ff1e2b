using Lumen.Analysis.Recording;

namespace Lumen.Reports.Analyze;

/// <summary>What <see cref="TopExamplesJob"/> found.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Examples">The examples streamed (to show the top ones).</param>
/// <param name="Record">Statistics and top examples per hook point and channel.</param>
/// <param name="Channels">Per hook point, the channels the report shows.</param>
/// <param name="Seconds">Wall time of the recording.</param>
/// <param name="Created">When the job ran (UTC).</param>
/// <param name="ResumedFrom">Examples restored from a checkpoint before this run (0 when it started afresh).</param>
public sealed record TopExamplesReport(string Model, ExampleSet Examples, ActivationRecord Record, IReadOnlyList<IReadOnlyList<int>> Channels, double Seconds, DateTime Created,
    int ResumedFrom = 0);
