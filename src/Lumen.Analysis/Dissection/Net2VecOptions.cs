namespace Lumen.Analysis.Dissection;

/// <summary>Options of <see cref="Net2Vec"/>.</summary>
public sealed record Net2VecOptions
{
    /// <summary>Full-batch AdamW steps.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>AdamW learning rate.</summary>
    public float LearningRate { get; init; } = 0.05f;

    /// <summary>Pixels sampled (uniformly, seeded) from each training image to fit the weights.</summary>
    public int PixelsPerImage { get; init; } = 64;

    /// <summary>Seed of the pixel sampling.</summary>
    public int Seed { get; init; }
}
