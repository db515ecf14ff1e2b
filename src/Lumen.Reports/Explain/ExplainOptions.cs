namespace Lumen.Reports.Explain;

/// <summary>What <see cref="ExplainJob"/> computes.</summary>
public sealed record ExplainOptions
{
    /// <summary>Catalog names of the methods to run (see <c>KnownAttributionMethods</c>), in report order.</summary>
    public IReadOnlyList<string> Methods { get; init; } = ["saliency", "input-x-gradient", "integrated-gradients"];

    /// <summary>Per-method options (<c>ig.steps=100</c>, see <see cref="Lumen.Attribution.MethodSettings"/>); each must
    /// name a method in <see cref="Methods"/>.</summary>
    public Lumen.Attribution.MethodSettings Settings { get; init; } = Lumen.Attribution.MethodSettings.None;

    /// <summary>The class to explain; null explains each image's top-1 prediction.</summary>
    public int? TargetClass { get; init; }

    /// <summary>How many predictions to list per image.</summary>
    public int TopK { get; init; } = 5;
}
