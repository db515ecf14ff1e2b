using Lumen.NN.Layers;

namespace Lumen.NN.Training;

/// <summary>A LeNet-style CNN for small images (MNIST, Fashion-MNIST): two 5×5 conv/ReLU/max-pool stages and a
/// two-layer classifier head, with the module names conv1 … fc2.</summary>
/// <remarks>LeCun et al., "Gradient-based learning applied to document recognition" (1998).</remarks>
public static class SmallCnn
{
    /// <summary>[N, C, S, S] → conv C→w (S−4) → pool → conv w→2w → pool → 2w·((S−4)/2−4)/2)² → 128 → classes; the weights are drawn from <c>rng</c> (default: the global <see cref="Init.Generator"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The side is too small for two 5×5 convolutions and pools.</exception>
    public static Sequential Create(int channels = 1, int side = 28, int classes = 10, int width = 16, Random? rng = null)
    {
        int after = ((side - 4) / 2 - 4) / 2;
        if (after < 1 || channels < 1 || classes < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(side), $"SmallCnn: needs images of side ≥ 16 and positive channels/classes/width, got side {side}, {channels} channels, {classes} classes, width {width}.");
        return new(
        [
            ("conv1", new Conv2d(channels, width, kernelSize: 5, rng: rng)),
            ("relu1", new Relu()),
            ("pool1", new MaxPool2d(2)),
            ("conv2", new Conv2d(width, 2 * width, kernelSize: 5, rng: rng)),
            ("relu2", new Relu()),
            ("pool2", new MaxPool2d(2)),
            ("flatten", new Flatten()),
            ("fc1", new Linear(2 * width * after * after, 128, rng: rng)),
            ("relu3", new Relu()),
            ("fc2", new Linear(128, classes, rng: rng)),
        ]);
    }
}
