namespace Lumen.Mechanistic.Sae;

/// <summary>Shape and training settings of a <see cref="SparseAutoencoder"/>.</summary>
/// <example><code>new SaeOptions { Features = 256, Activation = SaeActivation.TopK, K = 8, Steps = 2000 }</code></example>
public sealed record SaeOptions
{
    /// <summary>Number of features (dictionary size).</summary>
    public int Features { get; init; } = 256;

    /// <summary>Sparsity mechanism.</summary>
    public SaeActivation Activation { get; init; } = SaeActivation.Relu;

    /// <summary>Active features per input for <see cref="SaeActivation.TopK"/>.</summary>
    public int K { get; init; } = 8;

    /// <summary>L1 coefficient λ for <see cref="SaeActivation.Relu"/> (on inputs scaled to mean squared norm = dimension).</summary>
    public float L1Coefficient { get; init; } = 3f;

    /// <summary>Optimiser steps.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>AdamW learning rate (no weight decay).</summary>
    public float LearningRate { get; init; } = 3e-3f;

    /// <summary>Seed for the initial weights and the batch order.</summary>
    public int Seed { get; init; }
}
