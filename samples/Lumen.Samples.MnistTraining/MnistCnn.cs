using Lumen.NN;
using Lumen.NN.Layers;

namespace Lumen.Samples.MnistTraining;

/// <summary>The sample's network: two 5×5 conv/ReLU/max-pool stages and a two-layer classifier head.</summary>
internal static class MnistCnn
{
    /// <summary>[N, 1, 28, 28] → conv 1→16 (24²) → pool (12²) → conv 16→32 (8²) → pool (4²) → 512 → 128 → 10 logits.</summary>
    public static Sequential Create() => new(
    [
        ("conv1", new Conv2d(1, 16, kernelSize: 5)),
        ("relu1", new Relu()),
        ("pool1", new MaxPool2d(2)),
        ("conv2", new Conv2d(16, 32, kernelSize: 5)),
        ("relu2", new Relu()),
        ("pool2", new MaxPool2d(2)),
        ("flatten", new Flatten()),
        ("fc1", new Linear(32 * 4 * 4, 128)),
        ("relu3", new Relu()),
        ("fc2", new Linear(128, 10)),
    ]);
}
