namespace Lumen.Analysis.Patching;

/// <summary>What an ablated unit's activation is replaced with.</summary>
public enum AblationMode
{
    /// <summary>Zero.</summary>
    Zero,

    /// <summary>The unit's mean activation over reference examples (per position), removing only the information
    /// that varies between inputs.</summary>
    Mean,

    /// <summary>The unit's activation on another, randomly drawn reference example (resample ablation; Chan et al.
    /// 2022, causal scrubbing), keeping the activation on-distribution.</summary>
    Resample,
}
