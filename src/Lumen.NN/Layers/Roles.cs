using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>Marks an affine map of its input (Linear, convolutions): LRP applies its linear rules here.</summary>
public interface ILinearLike : IAffine
{
    /// <summary>The weight parameter.</summary>
    Parameter Weight { get; }

    /// <summary>The bias parameter, if any.</summary>
    Parameter? Bias { get; }

    /// <summary>The same affine map evaluated with other parameters (same shapes): what propagation rules that
    /// modify the weights (LRP-γ, z⁺, w²) evaluate. Records gradients like any op; runs no hooks.</summary>
    /// <param name="input">The data input.</param>
    /// <param name="weight">Replaces <see cref="Weight"/>.</param>
    /// <param name="bias">Replaces <see cref="Bias"/>; null leaves the bias out.</param>
    Tensor Apply(Tensor input, Tensor weight, Tensor? bias);
}

/// <summary>Marks a module that is an affine function of its data inputs, with no parameters a rule would modify
/// (sums, average pooling, batch norm in evaluation mode): propagation treats it as a linear layer.</summary>
public interface IAffine;

/// <summary>Marks an elementwise nonlinearity (ReLU, GELU, …): LRP passes relevance through it unchanged.</summary>
public interface IActivation;

/// <summary>Marks a piecewise-linear rectifier (ReLU, leaky ReLU, clip/ReLU6): guided backpropagation and
/// deconvolution rectify the gradient here.</summary>
public interface IRectifier : IActivation;

/// <summary>Marks a pooling layer (max, average, adaptive).</summary>
public interface IPooling;

/// <summary>Marks a max-pooling layer: its output is one of its inputs per window (not an affine map).</summary>
public interface IMaxPooling : IPooling;

/// <summary>Marks a normalisation layer (batch, layer, group, RMS norm): canonizers may fold it into a neighbour.</summary>
public interface INormalization;

/// <summary>Marks a softmax or log-softmax over one axis.</summary>
public interface ISoftmax;

/// <summary>Marks a module that only moves, selects or copies elements of its inputs (reshape, flatten, concat,
/// slice, transpose, identity, dropout at inference): its gradient routes values without arithmetic.</summary>
public interface IStructural;

/// <summary>Marks a module whose forward only wires its children together (<see cref="Sequential"/>, an imported
/// graph): every computation happens inside a child, so a rule on each child covers the whole model.</summary>
public interface IContainer;
