namespace Lumen.Mechanistic;

/// <summary>A trained tuned lens with its loss curve and speed.</summary>
/// <param name="Lens">The trained lens.</param>
/// <param name="Losses">Per step, the batch's mean KL to the final distribution averaged over the translated layers (nats).</param>
/// <param name="Seconds">Wall-clock training time, the model's forward passes over the corpus included.</param>
/// <param name="Positions">Number of training positions.</param>
public sealed record TunedLensTraining(TunedLens Lens, IReadOnlyList<double> Losses, double Seconds, int Positions)
{
    /// <summary>Optimiser steps per second.</summary>
    public double StepsPerSecond => Losses.Count / Math.Max(Seconds, 1e-9);
}
