using Lumen.NN;
using Lumen.NN.Training;

namespace Lumen.Metrics.Retraining;

/// <summary>How the metrics that retrain (ROAR/KAR, data randomisation) build and train their models.</summary>
public sealed record RetrainingOptions
{
    /// <summary>Builds a fresh model for a training set and a seed; null = <see cref="SmallCnn"/> for square images,
    /// with as many classes as the largest label + 1.</summary>
    public Func<LabelledData, int, Module>? CreateModel { get; init; }

    /// <summary>The training loop's options (every model of one evaluation trains the same way).</summary>
    public ClassifierTrainingOptions Training { get; init; } = new() { Epochs = 3 };

    /// <summary>Seed of the initial weights and of every random draw; every model starts from the same weights.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Samples per Explain call when explaining a whole data set.</summary>
    public int ExplainBatchSize { get; init; } = 250;
}
