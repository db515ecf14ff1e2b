namespace Lumen.Metrics;

/// <summary>What a metric can be applied to and what it needs besides the input and its attribution.</summary>
/// <param name="Data">The input kinds the metric makes sense for.</param>
/// <param name="Needs">Extra inputs the metric requires.</param>
public sealed record Applicability(DataKinds Data, MetricNeeds Needs)
{
    /// <summary>Any data, nothing else needed.</summary>
    public static Applicability Any { get; } = new(DataKinds.All, MetricNeeds.None);

    /// <summary>Images with a ground-truth mask.</summary>
    public static Applicability ImagesWithMask { get; } = new(DataKinds.Image, MetricNeeds.Mask);

    /// <summary>Any data; the metric re-runs the attribution method.</summary>
    public static Applicability AnyWithExplainer { get; } = new(DataKinds.All, MetricNeeds.Explainer);
}

/// <summary>Input kinds (flags).</summary>
[Flags]
public enum DataKinds
{
    /// <summary>No kind.</summary>
    None = 0,
    /// <summary>Images [B, C, H, W].</summary>
    Image = 1,
    /// <summary>Feature vectors [B, N].</summary>
    Tabular = 2,
    /// <summary>Sequences [B, C, T].</summary>
    TimeSeries = 4,
    /// <summary>Every kind.</summary>
    All = Image | Tabular | TimeSeries,
}

/// <summary>Extra inputs a metric needs (flags).</summary>
[Flags]
public enum MetricNeeds
{
    /// <summary>Input, attribution, target and model only.</summary>
    None = 0,
    /// <summary>A ground-truth mask (<see cref="MetricInput.Mask"/>).</summary>
    Mask = 1,
    /// <summary>A way to re-explain (<see cref="MetricInput.Explainer"/>).</summary>
    Explainer = 2,
    /// <summary>At least two samples in the batch (the score compares samples).</summary>
    SeveralSamples = 4,
}
