namespace Lumen.Metrics.Faithfulness;

/// <summary>Insertion: start from the replacement canvas and put features back in order of relevance; a faithful map
/// makes the target score rise fast, so the area under the curve is high (MoRF).</summary>
/// <remarks>yₖ = f(canvas with the input's ⌈k·F/Steps⌉ most relevant features); score = AUC over k/Steps ∈ [0, 1].
/// Petsiuk, Das, Saenko, "RISE" (BMVC 2018), https://arxiv.org/abs/1806.07421</remarks>
/// <example><code>var auc = new InsertionCurve().Evaluate(new MetricInput(model, x, map, target)).Value;</code></example>
public sealed class InsertionCurve(PerturbationCurveOptions? options = null) : PerturbationCurve(options)
{
    /// <inheritdoc/>
    public override string Name => "insertion";

    /// <inheritdoc/>
    protected override bool Inserts => true;
}
