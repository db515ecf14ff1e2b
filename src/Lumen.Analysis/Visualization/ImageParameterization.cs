namespace Lumen.Analysis.Visualization;

/// <summary>How feature visualization describes the image it optimises.</summary>
public enum ImageParameterization
{
    /// <summary>One free value per pixel and channel (squashed by a sigmoid): high frequencies come easily, so
    /// results tend to be noisy.</summary>
    Pixel,

    /// <summary>A 2-D Fourier spectrum scaled by 1/frequency, so every frequency starts with equal energy, and
    /// decorrelated colours (Olah et al. 2017): the optimisation favours natural-looking, low-frequency structure.</summary>
    Fourier,
}
