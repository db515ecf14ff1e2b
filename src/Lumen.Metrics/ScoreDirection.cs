namespace Lumen.Metrics;

/// <summary>Which way a metric's score improves.</summary>
public enum ScoreDirection
{
    /// <summary>A higher score is a better explanation.</summary>
    HigherIsBetter,
    /// <summary>A lower score is a better explanation.</summary>
    LowerIsBetter,
}
