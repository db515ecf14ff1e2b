namespace Lumen.Metrics.Meta;

/// <summary>The MetaQuantus meta-evaluation of one metric on one model, data and set of methods.</summary>
/// <param name="Metric">The metric's catalog name.</param>
/// <param name="Methods">How many methods were ranked (inter-consistency needs two or more).</param>
/// <param name="Samples">The samples (images) of the batch.</param>
/// <param name="Model">The model perturbation test (weights × N(1, σ²)), or null when it did not run.</param>
/// <param name="Input">The input perturbation test (additive uniform noise), or null when it did not run.</param>
public sealed record MetaConsistencyScore(string Metric, int Methods, int Samples, ConsistencyScores? Model, ConsistencyScores? Input)
{
    /// <summary>Why the meta-evaluation failed (e.g. a method failed on a perturbed model), or null.</summary>
    public string? Error { get; init; }

    /// <summary>The mean MC of the tests that ran (1 = a metric that ignores minor and reacts to disruptive
    /// perturbations, consistently across methods; 0.5 ≈ a metric blind to the perturbations).</summary>
    public double MetaConsistency => new[] { Model, Input }.Where(t => t is not null).Select(t => t!.MetaConsistency).DefaultIfEmpty(double.NaN).Average();
}
