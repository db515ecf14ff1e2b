namespace Lumen.Analysis.Visualization;

/// <summary>Random transformations applied to the image before each optimisation step, so that the visualization
/// must work under small shifts, scalings and rotations rather than exploit pixel-exact noise (Mordvintsev et al.
/// 2015; Olah et al. 2017).</summary>
public sealed record TransformationRobustness
{
    /// <summary>Maximum shift in pixels, applied before and (halved) after the scale and rotation (reflect padding).</summary>
    public int Jitter { get; init; } = 8;

    /// <summary>Smallest and largest scale factor; a scale is drawn uniformly between them.</summary>
    public (float Min, float Max) Scale { get; init; } = (0.95f, 1.05f);

    /// <summary>Maximum rotation in degrees (either way).</summary>
    public float RotationDegrees { get; init; } = 5f;

    /// <summary>No transformation at all.</summary>
    public static TransformationRobustness None { get; } = new() { Jitter = 0, Scale = (1f, 1f), RotationDegrees = 0f };
}
