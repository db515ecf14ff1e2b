namespace Lumen.Metrics.Randomisation;

/// <summary>The result of <see cref="DataRandomisation.Evaluate"/>.</summary>
/// <param name="TrainAccuracy">Training-set accuracy of the model trained on the true labels.</param>
/// <param name="ShuffledTrainAccuracy">Training-set accuracy (on the shuffled labels it learnt) of the model trained on shuffled labels.</param>
/// <param name="Results">Per method, the similarity of its maps under the two models (one score per explained sample).</param>
public sealed record DataRandomisationResult(double TrainAccuracy, double ShuffledTrainAccuracy, IReadOnlyList<(string Method, MetricResult Result)> Results)
{
    /// <summary>The result of <paramref name="method"/>.</summary>
    public MetricResult Result(string method) => Results.FirstOrDefault(r => r.Method == method).Result
        ?? throw new ArgumentException($"No data randomisation result for '{method}'. Methods: {string.Join(", ", Results.Select(r => r.Method))}.");
}
