namespace Lumen.Reports.Evaluate;

/// <summary>What <see cref="EvaluateJob"/> evaluates.</summary>
public sealed record EvaluateOptions
{
    /// <summary>Attribution method catalog names or aliases.</summary>
    public IReadOnlyList<string> Methods { get; init; } = ["saliency", "input-x-gradient", "integrated-gradients"];

    /// <summary>Per-method options (<c>ig.steps=100</c>, see <see cref="Lumen.Attribution.MethodSettings"/>); each must
    /// name a method in <see cref="Methods"/>.</summary>
    public Lumen.Attribution.MethodSettings Settings { get; init; } = Lumen.Attribution.MethodSettings.None;

    /// <summary>Metric catalog names.</summary>
    public IReadOnlyList<string> Metrics { get; init; } = ["deletion", "insertion", "sparseness", "complexity"];

    /// <summary>The class explained for every image; null = each image's top-1 prediction.</summary>
    public int? TargetClass { get; init; }

    /// <summary>Also meta-evaluate every metric: the cheap map test per cell (noise resilience and reactivity,
    /// <see cref="Lumen.Metrics.Meta.MetaEvaluation"/>, about 1 + 2 × <see cref="Lumen.Metrics.Meta.MetaEvaluationOptions.Draws"/>
    /// evaluations per cell) and the MetaQuantus model and input perturbation tests per metric over all methods
    /// (<see cref="Lumen.Metrics.Meta.MetaConsistency"/>: per method 1 + 4 K evaluations and 1 + 2 K explanations, K = 3).</summary>
    public bool MetaEvaluate { get; init; }
}
