using Lumen.Attribution;
using Lumen.Attribution.Gradient;
using Lumen.Imaging;
using Lumen.Onnx;

namespace Lumen.Cli.Tests;

/// <summary>The library example of the README, line for line, on the bundled model and photo: if the public API
/// drifts, this stops compiling or passing, and the README gets fixed with it.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_library_example_explains_the_cat_and_saves_a_heatmap()
    {
        var modelFile = Path.Combine(AppContext.BaseDirectory, "models", "imagenet", "mobilenetv2-1.0-224.onnx");
        var photo = Path.Combine(AppContext.BaseDirectory, "samples", "chelsea.png");
        var heatmap = Path.Combine(Path.GetTempPath(), $"lumen-readme-{Environment.ProcessId}.png");
        try
        {
            var model  = OnnxModel.Load(modelFile);
            var input  = ImageTensor.Load(photo, Preprocess.MobileNetV2);
            var result = new IntegratedGradients(model, new() { Steps = 8 }).Explain(input, Target.Class(282));
            Heatmap.Render(result.Map, input, Preprocess.MobileNetV2).SavePng(heatmap);

            Assert.Equal([1, 3, 224, 224], result.Map.Shape.ToArray());
            Assert.NotNull(result.Delta);
            Assert.Equal(224, Image.Load(heatmap).Width);
        }
        finally
        {
            File.Delete(heatmap);
        }
    }
}
