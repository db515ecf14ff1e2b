namespace Lumen.Metrics.Faithfulness;

/// <summary>Selectivity: remove square patches in order of their summed relevance (MoRF) and take the area under the
/// target-score curve; low is good.</summary>
/// <remarks>Like <see cref="DeletionCurve"/> over patches of <see cref="PerturbationCurveOptions.PatchSize"/>² pixels,
/// one patch per step by default. Montavon, Samek, Müller, "Methods for interpreting and understanding deep neural
/// networks" (2018), https://arxiv.org/abs/1706.07979</remarks>
/// <example><code>var auc = new Selectivity(new() { PatchSize = 16, Steps = null }).Evaluate(input).Value;</code></example>
public sealed class Selectivity(PerturbationCurveOptions? options = null) : PerturbationCurve(options ?? new() { Steps = null })
{
    /// <inheritdoc/>
    public override string Name => "selectivity";

    /// <inheritdoc/>
    protected override bool Inserts => false;

    /// <inheritdoc/>
    protected override bool UsesPatches => true;
}
