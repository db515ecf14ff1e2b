namespace Lumen.Metrics.Faithfulness;

/// <summary>Deletion (pixel flipping): remove features in order of relevance and record the target score; a faithful
/// map makes it fall fast, so the area under the curve is low (MoRF).</summary>
/// <remarks>yₖ = f(x with its ⌈k·F/Steps⌉ most relevant features replaced); score = AUC over k/Steps ∈ [0, 1].
/// Bach et al., "On pixel-wise explanations … by LRP" (2015), https://doi.org/10.1371/journal.pone.0130140;
/// Petsiuk et al., "RISE" (2018), https://arxiv.org/abs/1806.07421</remarks>
/// <example><code>var auc = new DeletionCurve(new() { Steps = 224 }).Evaluate(new MetricInput(model, x, map, target)).Value;</code></example>
public sealed class DeletionCurve(PerturbationCurveOptions? options = null) : PerturbationCurve(options)
{
    /// <inheritdoc/>
    public override string Name => "deletion";

    /// <inheritdoc/>
    protected override bool Inserts => false;
}
