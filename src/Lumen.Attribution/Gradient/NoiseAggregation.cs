namespace Lumen.Attribution.Gradient;

/// <summary>How <see cref="SmoothGrad"/> combines the maps of the noisy copies of an input.</summary>
public enum NoiseAggregation
{
    /// <summary>SmoothGrad: the mean map, (1/N) Σₙ M(x + εₙ).</summary>
    Mean,

    /// <summary>SmoothGrad²: the mean of the squared maps, (1/N) Σₙ M(x + εₙ)².</summary>
    MeanOfSquares,

    /// <summary>VarGrad: the variance of the maps, (1/N) Σₙ M(x + εₙ)² − ((1/N) Σₙ M(x + εₙ))².</summary>
    Variance,
}
