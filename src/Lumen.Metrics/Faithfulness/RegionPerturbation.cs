namespace Lumen.Metrics.Faithfulness;

/// <summary>Region perturbation: replace square regions in MoRF or LeRF order (by default with uniform noise, as in
/// the paper) and take the area under the target-score curve.</summary>
/// <remarks>Samek et al., "Evaluating the visualization of what a deep neural network has learned" (2017),
/// https://arxiv.org/abs/1509.06321</remarks>
/// <example><code>var auc = new RegionPerturbation(new() { PatchSize = 9, Steps = 100 }).Evaluate(input).Value;</code></example>
public sealed class RegionPerturbation(PerturbationCurveOptions? options = null)
    : PerturbationCurve(options ?? new() { Steps = null, Replacement = Functions.Replacement.UniformNoise(0, 1) })
{
    /// <inheritdoc/>
    public override string Name => "region-perturbation";

    /// <inheritdoc/>
    protected override bool Inserts => false;

    /// <inheritdoc/>
    protected override bool UsesPatches => true;
}
