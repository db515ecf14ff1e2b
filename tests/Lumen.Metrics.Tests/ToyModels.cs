using Lumen.Attribution;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

/// <summary>f(x) = flatten(x)·W: every removal curve has a closed form on it.</summary>
internal sealed class LinearModel(float[] weights, int classes = 1) : Module
{
    public Tensor Weights { get; } = Tensor.FromArray(weights, weights.Length / classes, classes);

    protected override Tensor Forward(Tensor x) => x.Reshape(x.Shape[0], -1).MatMul(Weights); // [B, K]
}

/// <summary>Captum's BasicModel2: f(x₁, x₂) = ReLU(ReLU(x₁) − 1 − ReLU(x₂)) on [B, 2].</summary>
internal sealed class BasicModel2 : Module
{
    private static readonly Tensor First = Tensor.FromArray([1f, 0f], 2, 1);
    private static readonly Tensor Second = Tensor.FromArray([0f, 1f], 2, 1);

    protected override Tensor Forward(Tensor x) => (x.MatMul(First).Relu() - 1f - x.MatMul(Second).Relu()).Relu(); // [B, 1]
}

/// <summary>An "explainer" that ignores the model (an edge-detector-like control): |x|.</summary>
internal sealed class InputMagnitude : IAttributionMethod
{
    public string Name => "input-magnitude";

    public Attribution.Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null) =>
        new(input.Abs(), target, Name);
}

internal static class Toy
{
    /// <summary>A seeded MLP on [B, 1, 4, 4] inputs with three classes.</summary>
    public static Module Mlp(int seed = 1)
    {
        var rng = new Random(seed);
        var model = new Sequential(new Flatten(), new Linear(16, 12, rng: rng), new Relu(), new Linear(12, 8, rng: rng), new Relu(), new Linear(8, 3, rng: rng));
        model.Eval();
        return model;
    }

    public static Tensor Ones(params int[] shape) => Tensor.Ones(shape);
}
