namespace Lumen.Mechanistic;

/// <summary>Settings of <see cref="TokenAttribution"/>.</summary>
/// <example><code>new TokenAttributionOptions { Steps = 64, BatchSize = 16 }</code></example>
public sealed record TokenAttributionOptions
{
    /// <summary>Integrated Gradients interpolation steps m.</summary>
    public int Steps { get; init; } = 32;

    /// <summary>Interpolation points per forward/backward pass (bounds memory: activations grow linearly with it).</summary>
    public int BatchSize { get; init; } = 16;
}
