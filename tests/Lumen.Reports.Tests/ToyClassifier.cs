using Lumen.Imaging;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Reports.Explain;
using Lumen.Tensors;

namespace Lumen.Reports.Tests;

/// <summary>A tiny image classifier (8×8 RGB → 4 classes, seeded weights) and images for report tests.</summary>
internal static class ToyClassifier
{
    public static Classifier Create(bool probabilities = false)
    {
        var model = new Sequential(new Flatten(), new Linear(3 * 8 * 8, 4, rng: new Random(3)));
        var preprocess = new Preprocess { ResizeTo = (8, 8), Scale = 1f / 255f };
        return new Classifier("toy", model, ["apple", "banana", "cherry", "date"], preprocess, probabilities);
    }

    /// <summary>A 16×12 gradient image with a bright square.</summary>
    public static Image Picture(int seed)
    {
        var image = new Image(16, 12, 3);
        for (int y = 0; y < 12; y++)
            for (int x = 0; x < 16; x++)
                for (int c = 0; c < 3; c++)
                    image[x, y, c] = (byte)((x * 13 + y * 7 + c * 50 + seed * 31) % 256);
        return image;
    }

    /// <summary>A module whose forward always throws.</summary>
    public sealed class Broken : Module
    {
        protected override Tensor Forward(Tensor x) => throw new InvalidOperationException("broken on purpose");
    }
}
