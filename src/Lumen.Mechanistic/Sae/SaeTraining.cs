namespace Lumen.Mechanistic.Sae;

/// <summary>A trained autoencoder with its loss curve and speed.</summary>
/// <param name="Autoencoder">The trained model.</param>
/// <param name="Losses">Training loss per step (reconstruction + sparsity penalty, on scaled inputs).</param>
/// <param name="Seconds">Wall-clock training time.</param>
public sealed record SaeTraining(SparseAutoencoder Autoencoder, IReadOnlyList<double> Losses, double Seconds)
{
    /// <summary>Optimiser steps per second.</summary>
    public double StepsPerSecond => Losses.Count / Math.Max(Seconds, 1e-9);
}
