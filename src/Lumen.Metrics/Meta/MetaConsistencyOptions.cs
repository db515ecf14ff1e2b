namespace Lumen.Metrics.Meta;

/// <summary>Options of <see cref="MetaConsistency"/>: how many perturbations each test draws and how strong they
/// are. The defaults follow MetaQuantus (Hedström et al. 2023) except that input noise is scaled to the input.</summary>
public sealed record MetaConsistencyOptions : MetricOptions
{
    /// <summary>K: perturbations per test (the paper uses 5). Each costs one metric evaluation per method, and for the
    /// model tests one explanation per method.</summary>
    public int Perturbations { get; init; } = 3;

    /// <summary>σ of the minor model perturbation: every weight is multiplied by a draw of N(1, σ²).</summary>
    public double ModelMinorNoise { get; init; } = 0.001;

    /// <summary>σ of the disruptive model perturbation (N(1, σ²) per weight): large enough to change predictions.</summary>
    public double ModelDisruptiveNoise { get; init; } = 2.0;

    /// <summary>Radius of the minor input perturbation: U(−r s, r s) added to every value, s = the standard deviation of
    /// the input batch.</summary>
    public double InputMinorNoise { get; init; } = 0.001;

    /// <summary>Radius of the disruptive input perturbation, in the same units.</summary>
    public double InputDisruptiveNoise { get; init; } = 2.0;

    /// <summary>Run the model perturbation test (a metric evaluation and an explanation per method and perturbation).</summary>
    public bool ModelTest { get; init; } = true;

    /// <summary>Run the input perturbation test (a metric evaluation per method and perturbation; the explanations of
    /// the unperturbed input are kept).</summary>
    public bool InputTest { get; init; } = true;
}
