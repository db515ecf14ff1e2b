using Lumen.Tensors;

namespace Lumen.NN.Layers;

/// <summary>GELU: x·Φ(x) (exact, through erf) or its tanh approximation (Hendrycks &amp; Gimpel 2016,
/// https://arxiv.org/abs/1606.08415).</summary>
/// <param name="approximate">Use 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</param>
public sealed class Gelu(bool approximate = false) : Module, IActivation
{
    /// <summary>True for the tanh approximation.</summary>
    public bool Approximate { get; } = approximate;

    /// <inheritdoc/>
    protected override Tensor Forward(Tensor x) => x.Gelu(Approximate);
}
