using Lumen.Metrics.Axiomatic;
using Lumen.Metrics.Common;
using Lumen.Metrics.Complexity;
using Lumen.Metrics.Faithfulness;
using Lumen.Metrics.Localisation;
using Lumen.Metrics.Randomisation;
using Lumen.Metrics.Robustness;
using Lumen.Tensors;

namespace Lumen.Metrics;

/// <summary>One entry of the metric catalog.</summary>
/// <param name="Name">Kebab-case catalog name, e.g. <c>deletion</c>.</param>
/// <param name="DisplayName">The established name, e.g. Deletion (pixel flipping).</param>
/// <param name="Category">The metric family.</param>
/// <param name="Summary">One line for help texts and reports.</param>
/// <param name="Create">Builds the metric with defaults sized for an input of the given shape [B, …] (e.g. how many
/// pixels a faithfulness step removes).</param>
public sealed record MetricInfo(string Name, string DisplayName, MetricCategory Category, string Summary, Func<Shape, IMetric> Create);

/// <summary>
/// The catalog of metrics by name: the CLI, the reports and the tests enumerate it, so no code switches on metric
/// names (ARCHITECTURE B5.11).
/// </summary>
public static class KnownMetrics
{
    /// <summary>Every metric, grouped by category in report order.</summary>
    public static IReadOnlyList<MetricInfo> All { get; } =
    [
        new("deletion", "Deletion (pixel flipping)", MetricCategory.Faithfulness, "AUC of the score as the most relevant features are removed (low is good).", _ => new DeletionCurve()),
        new("insertion", "Insertion", MetricCategory.Faithfulness, "AUC of the score as the most relevant features are inserted on a blank canvas (high is good).", _ => new InsertionCurve()),
        new("region-perturbation", "Region perturbation", MetricCategory.Faithfulness, "AUC as 8×8 regions are replaced by noise, most relevant first.", _ => new RegionPerturbation()),
        new("selectivity", "Selectivity", MetricCategory.Faithfulness, "AUC as 8×8 patches are removed, most relevant first.", _ => new Selectivity()),
        new("faithfulness-correlation", "Faithfulness correlation", MetricCategory.Faithfulness, "Correlation of subset relevance with the score drop of removing the subset.", s => new FaithfulnessCorrelation(new() { SubsetSize = Math.Max(1, Features(s) / 8) })),
        new("faithfulness-estimate", "Faithfulness estimate", MetricCategory.Faithfulness, "Correlation of group relevance with the score drop of removing the group.", s => new FaithfulnessEstimate(new() { FeaturesPerStep = PerStep(s) })),
        new("monotonicity", "Monotonicity (Arya)", MetricCategory.Faithfulness, "1 if adding features least-relevant first never lowers the score.", s => new Monotonicity(new() { FeaturesPerStep = PerStep(s) })),
        new("sensitivity-n", "Sensitivity-n", MetricCategory.Faithfulness, "Correlation of subset relevance and score drop, per subset size n.", _ => new SensitivityN()),
        new("irof", "IROF", MetricCategory.Faithfulness, "Area over the relative score curve as 16×16 segments are removed.", _ => new Irof()),
        new("road", "ROAD", MetricCategory.Faithfulness, "Prediction kept after removing 10…90 % (noisy linear imputation), most relevant first.", _ => new Road()),
        new("infidelity", "Infidelity", MetricCategory.Faithfulness, "E[(Iᵀa − (f(x) − f(x − I)))²] under Gaussian noise I.", _ => new Infidelity()),
        new("sufficiency", "Sufficiency", MetricCategory.Faithfulness, "Samples with close explanations share the prediction (batch of ≥ 2).", _ => new Sufficiency()),
        new("max-sensitivity", "Max-sensitivity", MetricCategory.Robustness, "Largest relative change of the map under small noise.", _ => new MaxSensitivity()),
        new("avg-sensitivity", "Avg-sensitivity", MetricCategory.Robustness, "Mean relative change of the map under small noise.", _ => new AvgSensitivity()),
        new("local-lipschitz-estimate", "Local Lipschitz estimate", MetricCategory.Robustness, "Largest ‖ΔΦ‖/‖Δx‖ under Gaussian noise.", _ => new LocalLipschitzEstimate()),
        new("continuity", "Continuity", MetricCategory.Robustness, "Largest ‖ΔΦ‖₁/‖Δx‖₂ between one-pixel translations.", _ => new Continuity()),
        new("consistency", "Consistency", MetricCategory.Robustness, "Samples with the same top-10 pixels share the prediction (batch of ≥ 2).", _ => new Consistency()),
        new("relative-input-stability", "Relative input stability", MetricCategory.Robustness, "Relative map change over relative input change.", _ => new RelativeInputStability()),
        new("relative-output-stability", "Relative output stability", MetricCategory.Robustness, "Relative map change over relative logit change.", _ => new RelativeOutputStability()),
        new("relative-representation-stability", "Relative representation stability", MetricCategory.Robustness, "Relative map change over relative change of the last parameterised layer.", _ => new RelativeRepresentationStability()),
        new("pointing-game", "Pointing game", MetricCategory.Localisation, "1 if the most relevant pixel is on the object.", _ => new PointingGame()),
        new("top-k-intersection", "Top-k intersection", MetricCategory.Localisation, "Share of the 1000 most relevant pixels on the object.", _ => new TopKIntersection()),
        new("relevance-mass-accuracy", "Relevance mass accuracy", MetricCategory.Localisation, "Share of |relevance| on the object.", _ => new RelevanceMassAccuracy()),
        new("relevance-rank-accuracy", "Relevance rank accuracy", MetricCategory.Localisation, "Share of the |object| most relevant pixels on the object.", _ => new RelevanceRankAccuracy()),
        new("attribution-localisation", "Attribution localisation", MetricCategory.Localisation, "Share of positive relevance on the object.", _ => new AttributionLocalisation()),
        new("auc", "AUC", MetricCategory.Localisation, "ROC AUC of relevance as an object-pixel detector.", _ => new Auc()),
        new("focus", "Focus", MetricCategory.Localisation, "Share of positive relevance on the target quadrants of a mosaic.", _ => new Focus()),
        new("sparseness", "Sparseness (Gini)", MetricCategory.Complexity, "Gini index of |a|: 1 − 1/n for one-hot, 0 for uniform.", _ => new Sparseness()),
        new("complexity", "Complexity (entropy)", MetricCategory.Complexity, "Entropy of |a|/Σ|a|: 0 for one-hot, ln n for uniform.", _ => new Complexity.Complexity()),
        new("effective-complexity", "Effective complexity", MetricCategory.Complexity, "Number of |aᵢ| above 1e-5.", _ => new EffectiveComplexity()),
        new("model-parameter-randomisation", "Model parameter randomisation (cascading)", MetricCategory.Randomisation, "Similarity to the original map as layers are randomised top-down.", _ => new ModelParameterRandomisation(new() { Checkpoints = 8 })),
        new("independent-parameter-randomisation", "Model parameter randomisation (independent)", MetricCategory.Randomisation, "Similarity to the original map with one layer randomised at a time.", _ => new ModelParameterRandomisation(new() { Mode = RandomisationMode.Independent, Checkpoints = 8 })),
        new("smooth-model-parameter-randomisation", "Smooth model parameter randomisation (sMPRT)", MetricCategory.Randomisation, "Cascading randomisation with each map averaged over 4 noisy inputs.", _ => new ModelParameterRandomisation(new() { Checkpoints = 8, NoiseSamples = 4 })),
        new("random-logit", "Random logit", MetricCategory.Randomisation, "Similarity to the map of a random other class.", _ => new RandomLogit()),
        new("completeness", "Completeness", MetricCategory.Axiomatic, "1 if Σa = f(x) − f(0).", _ => new Completeness()),
        new("non-sensitivity", "Non-sensitivity", MetricCategory.Axiomatic, "Features with zero attribution that matter, or nonzero that do not.", s => new NonSensitivity(new() { PatchSize = s.Rank == 4 ? Math.Max(1, s[2] / 16) : 1 })),
        new("input-invariance", "Input invariance", MetricCategory.Axiomatic, "1 if the map is unchanged when a constant input shift is absorbed by the model.", _ => new InputInvariance()),
    ];

    /// <summary>Finds a metric by name (case-insensitive), or throws listing the known names.</summary>
    public static MetricInfo Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown metric '{name}'. Known: {string.Join(", ", All.Select(m => m.Name))}.");
    }

    /// <summary>Builds the named metric with defaults sized for inputs of shape <paramref name="input"/>.</summary>
    public static IMetric Create(string name, Shape input) => Find(name).Create(input);

    private static int Features(Shape input) => FeatureLayout.Of(input).Features;

    /// <summary>About 224 steps per curve whatever the input size.</summary>
    private static int PerStep(Shape input) => Math.Max(1, (int)Math.Ceiling(Features(input) / 224.0));
}
