namespace Lumen.Metrics.Retraining;

/// <summary>Which features <see cref="RemoveAndRetrain"/> replaces before retraining.</summary>
public enum RetrainingMode
{
    /// <summary>ROAR: the top-k % most relevant features are replaced (a faithful method degrades accuracy most).</summary>
    Remove,
    /// <summary>KAR: all but the top-k % are replaced (a faithful method keeps accuracy best).</summary>
    Keep,
}
