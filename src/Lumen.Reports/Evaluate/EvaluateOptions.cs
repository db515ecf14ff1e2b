namespace Lumen.Reports.Evaluate;

/// <summary>What <see cref="EvaluateJob"/> evaluates.</summary>
public sealed record EvaluateOptions
{
    /// <summary>Attribution method catalog names or aliases.</summary>
    public IReadOnlyList<string> Methods { get; init; } = ["saliency", "input-x-gradient", "integrated-gradients"];

    /// <summary>Metric catalog names.</summary>
    public IReadOnlyList<string> Metrics { get; init; } = ["deletion", "insertion", "sparseness", "complexity"];

    /// <summary>The class explained for every image; null = each image's top-1 prediction.</summary>
    public int? TargetClass { get; init; }

    /// <summary>Also meta-evaluate every metric (noise resilience and reactivity, <see cref="Lumen.Metrics.Meta.MetaEvaluation"/>);
    /// costs about 1 + 2 × <see cref="Lumen.Metrics.Meta.MetaEvaluationOptions.Draws"/> evaluations per cell.</summary>
    public bool MetaEvaluate { get; init; }
}
