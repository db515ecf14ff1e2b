using Lumen.Attribution;
using Lumen.Metrics.Common;
using Lumen.Metrics.Functions;
using Lumen.Metrics.Retraining;
using Lumen.NN;
using Lumen.NN.Training;

namespace Lumen.Metrics.Randomisation;

/// <summary>Options of <see cref="DataRandomisation"/>.</summary>
public sealed record DataRandomisationOptions
{
    /// <summary>How original and randomised maps are compared.</summary>
    public ISimilarity Similarity { get; init; } = Functions.Similarity.AbsoluteSpearman;

    /// <summary>How both models are built and trained (same architecture, same initial weights, same schedule).</summary>
    public RetrainingOptions Retraining { get; init; } = new();
}

/// <summary>The data randomisation sanity check: train the same model once on the true labels and once on randomly
/// permuted labels, explain the same samples with both, and measure the similarity of the maps. A method that
/// reflects what the model learnt gives dissimilar maps (low is good); one that only sees the input (an edge
/// detector) gives similarity 1.</summary>
/// <remarks>s = sim(Φ(f_{θ(y)}, x), Φ(f_{θ(π(y))}, x)), π a random permutation of the training labels. Adebayo et al.,
/// "Sanity checks for saliency maps" (NeurIPS 2018), https://arxiv.org/abs/1810.03292</remarks>
/// <example><code>var result = new DataRandomisation().Evaluate(train, explained, [("saliency", m => new Saliency(m))]);</code></example>
public sealed class DataRandomisation(DataRandomisationOptions? options = null)
{
    private readonly DataRandomisationOptions options = options ?? new();

    /// <summary>The catalog-style name of the check.</summary>
    public const string Name = "data-randomisation";

    /// <summary>Trains both models and scores every method on <paramref name="explained"/>, explained for its labels.</summary>
    public DataRandomisationResult Evaluate(LabelledData train, LabelledData explained, IReadOnlyList<(string Name, Func<Module, IAttributionMethod> Create)> methods,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(explained);
        ArgumentNullException.ThrowIfNull(methods);
        if (methods.Count == 0) throw new ArgumentException("DataRandomisation: no method to evaluate.", nameof(methods));
        if (!train.SampleShape.SequenceEqual(explained.SampleShape))
            throw new ArgumentException($"DataRandomisation: training samples [{string.Join(", ", train.SampleShape)}] and explained samples [{string.Join(", ", explained.SampleShape)}] differ in shape.");
        var retraining = options.Retraining;
        progress?.Report("training on the true labels");
        var model = ModelTrainer.Train(train, retraining, cancellation);
        var labels = train.Labels.ToArray();
        new Random(retraining.Seed).Shuffle(labels);
        var shuffled = train.WithLabels(labels);
        progress?.Report("training on shuffled labels");
        var randomised = ModelTrainer.Train(shuffled, retraining, cancellation);
        var results = new List<(string, MetricResult)>();
        int size = explained.SampleSize;
        foreach (var (name, create) in methods)
        {
            progress?.Report($"explaining with {name}");
            var original = ModelTrainer.ExplainAll(create(model), explained, retraining.ExplainBatchSize, cancellation);
            var other = ModelTrainer.ExplainAll(create(randomised), explained, retraining.ExplainBatchSize, cancellation);
            var scores = Enumerable.Range(0, explained.Count).Select(s => options.Similarity.Compute(original.AsSpan(s * size, size), other.AsSpan(s * size, size))).ToArray();
            results.Add((name, new MetricResult(Name, ScoreDirection.LowerIsBetter, Statistics.FiniteMean(scores), scores)));
        }
        return new DataRandomisationResult(ClassifierTraining.Accuracy(model, train), ClassifierTraining.Accuracy(randomised, shuffled), results);
    }
}
