namespace Lumen.Mechanistic;

/// <summary>How a <see cref="TunedLens"/> is trained.</summary>
public enum TunedLensOptimizer
{
    /// <summary>Adam (AdamW without weight decay).</summary>
    Adam,

    /// <summary>SGD with Nesterov momentum 0.9, as in Belrose et al. 2023 (their learning rate is 1; weight decay 1e-3).</summary>
    SgdNesterov,
}
