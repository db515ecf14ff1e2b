using Lumen.Metrics.Functions;

namespace Lumen.Metrics.Faithfulness;

/// <summary>Options of the removal/insertion curves (<see cref="DeletionCurve"/>, <see cref="InsertionCurve"/>,
/// <see cref="Selectivity"/>, <see cref="RegionPerturbation"/>).</summary>
public sealed record PerturbationCurveOptions : MetricOptions
{
    /// <summary>Points of the curve after the start (each step changes about features/Steps features); null = one
    /// step per feature or patch.</summary>
    public int? Steps { get; init; } = 224;

    /// <summary>Which features go first.</summary>
    public RemovalOrder Order { get; init; } = RemovalOrder.MostRelevantFirst;

    /// <summary>What removed features become (deletion), or the canvas features are inserted on (insertion).</summary>
    public IReplacement Replacement { get; init; } = Functions.Replacement.Zero;

    /// <summary>Side of the square patches that <see cref="Selectivity"/> and <see cref="RegionPerturbation"/>
    /// remove (pixels); ignored by the per-feature curves.</summary>
    public int PatchSize { get; init; } = 8;
}
