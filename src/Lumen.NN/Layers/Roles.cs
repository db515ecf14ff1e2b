namespace Lumen.NN.Layers;

/// <summary>Marks an affine map of its input (Linear, convolutions): LRP applies its linear rules here.</summary>
public interface ILinearLike
{
    /// <summary>The weight parameter.</summary>
    Parameter Weight { get; }

    /// <summary>The bias parameter, if any.</summary>
    Parameter? Bias { get; }
}

/// <summary>Marks an elementwise nonlinearity (ReLU, GELU, …): LRP passes relevance through it unchanged.</summary>
public interface IActivation;

/// <summary>Marks a pooling layer (max, average, adaptive).</summary>
public interface IPooling;

/// <summary>Marks a normalisation layer (batch, layer, group, RMS norm): canonizers may fold it into a neighbour.</summary>
public interface INormalization;
