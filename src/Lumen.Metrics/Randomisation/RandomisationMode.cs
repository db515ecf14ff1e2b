namespace Lumen.Metrics.Randomisation;

/// <summary>How <see cref="ModelParameterRandomisation"/> randomises layers.</summary>
public enum RandomisationMode
{
    /// <summary>From the top (output) layer down, keeping earlier randomisations (Adebayo et al.'s cascading test).</summary>
    Cascading,
    /// <summary>One layer at a time, the others left trained.</summary>
    Independent,
}
