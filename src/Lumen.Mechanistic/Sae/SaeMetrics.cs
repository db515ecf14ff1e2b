namespace Lumen.Mechanistic.Sae;

/// <summary>How well a sparse autoencoder reconstructs a hook's activations and how much the model suffers when the
/// reconstruction replaces them.</summary>
/// <param name="ExplainedVariance"><c>1 − Σ‖x − x̂‖² / Σ‖x − x̄‖²</c> over the evaluation tokens.</param>
/// <param name="L0">Mean number of active features per token.</param>
/// <param name="DeadFraction">Fraction of features never active on the evaluation tokens.</param>
/// <param name="CleanLoss">Next-token cross-entropy (nats) of the unmodified model.</param>
/// <param name="SplicedLoss">Cross-entropy with the reconstruction spliced in at the hook.</param>
/// <param name="ZeroAblationLoss">Cross-entropy with the hook's activation set to zero.</param>
public sealed record SaeMetrics(double ExplainedVariance, double L0, double DeadFraction, double CleanLoss, double SplicedLoss, double ZeroAblationLoss)
{
    /// <summary>Cross-entropy increase caused by splicing in the reconstruction.</summary>
    public double LossIncrease => SplicedLoss - CleanLoss;

    /// <summary><c>(zero − spliced) / (zero − clean)</c>: 1 when the reconstruction is as good as the original.</summary>
    public double LossRecovered => (ZeroAblationLoss - SplicedLoss) / (ZeroAblationLoss - CleanLoss);
}
