namespace Lumen.Analysis.Visualization;

/// <summary>Options of <see cref="FeatureVisualization"/>.</summary>
public sealed record FeatureVisualizationOptions
{
    /// <summary>Optimisation steps.</summary>
    public int Steps { get; init; } = 128;

    /// <summary>Adam's learning rate on the image parameters.</summary>
    public float LearningRate { get; init; } = 0.05f;

    /// <summary>Image height in pixels (the model's input height).</summary>
    public int Height { get; init; } = 224;

    /// <summary>Image width in pixels.</summary>
    public int Width { get; init; } = 224;

    /// <summary>How the image is parameterised.</summary>
    public ImageParameterization Parameterization { get; init; } = ImageParameterization.Fourier;

    /// <summary>The random transformations applied at each step.</summary>
    public TransformationRobustness Transforms { get; init; } = new();

    /// <summary>Seed of the initial parameters and of the transformations.</summary>
    public int Seed { get; init; }

    /// <summary>Per-channel factor from the RGB image in [0, 1] to the model input: input = rgb·scale + shift.</summary>
    public IReadOnlyList<float> InputScale { get; init; } = [1f, 1f, 1f];

    /// <summary>Per-channel offset from the RGB image in [0, 1] to the model input.</summary>
    public IReadOnlyList<float> InputShift { get; init; } = [0f, 0f, 0f];

    /// <summary>True when the model expects BGR channel order.</summary>
    public bool Bgr { get; init; }
}
