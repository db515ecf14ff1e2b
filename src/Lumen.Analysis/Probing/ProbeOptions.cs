namespace Lumen.Analysis.Probing;

/// <summary>Options of <see cref="Probe"/>.</summary>
public sealed record ProbeOptions
{
    /// <summary>Linear or MLP probe.</summary>
    public ProbeKind Kind { get; init; } = ProbeKind.Linear;

    /// <summary>Hidden units of an MLP probe.</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Passes over the training features.</summary>
    public int Epochs { get; init; } = 40;

    /// <summary>Examples per AdamW step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>AdamW learning rate.</summary>
    public float LearningRate { get; init; } = 1e-2f;

    /// <summary>AdamW decoupled weight decay.</summary>
    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>Seed of the initial weights and the batch order.</summary>
    public int Seed { get; init; }
}
