namespace Lumen.Attribution.Perturbation;

/// <summary>Which game an optimised perturbation mask plays (Fong and Vedaldi 2017).</summary>
public enum PerturbationGame
{
    /// <summary>Find the smallest region whose deletion (blending to the reference) destroys the target score; the
    /// map is 1 − m, the deleted region.</summary>
    Deletion,

    /// <summary>Find the smallest region that alone preserves the target score; the map is m, the kept region.</summary>
    Preservation,
}
