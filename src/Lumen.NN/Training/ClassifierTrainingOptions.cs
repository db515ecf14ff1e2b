namespace Lumen.NN.Training;

/// <summary>Options of <see cref="ClassifierTraining"/>: AdamW with a cosine learning-rate decay over all steps.</summary>
public sealed record ClassifierTrainingOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 8;

    /// <summary>Samples per optimisation step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The peak learning rate (step 0 of the cosine decay).</summary>
    public float LearningRate { get; init; } = 2e-3f;

    /// <summary>AdamW's decoupled weight decay.</summary>
    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>Seed of the shuffling (and of the augmentation's generator).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Optional augmentation: (inputs of a batch, batch size, generator) → new inputs of the same length.</summary>
    public Func<float[], int, Random, float[]>? Augment { get; init; }
}
