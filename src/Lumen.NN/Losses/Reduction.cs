namespace Lumen.NN;

/// <summary>How a loss combines its per-element values.</summary>
public enum Reduction
{
    /// <summary>The mean (for class losses: over the non-ignored targets).</summary>
    Mean,
    /// <summary>The sum.</summary>
    Sum,
    /// <summary>No reduction: the per-element (per-target) losses.</summary>
    None,
}
