using System.Text.Json;
using Lumen.Imaging;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Xunit.Abstractions;

namespace Lumen.Zoo.Tests;

/// <summary>
/// Each shipped descriptor's preprocessing, applied to the ORIGINAL image files (PNG, BMP, JPEG through
/// <see cref="Image.Load(string)"/>), gives the top-1 class that ONNX Runtime gave on the reference 224×224 inputs
/// (shared/data/reference/imagenet_reference_outputs.json; the originals are listed in shared/data/MANIFEST.md).
/// This tests decode + resize + crop + channel order + normalisation + model end to end.
/// </summary>
public class DescriptorPreprocessingTests(ITestOutputHelper output)
{
    private static readonly ModelZoo Zoo = new(SharedData.InRepository("models"));

    /// <summary>The original behind every shared/data/ppm224 reference input (shared/data/MANIFEST.md).</summary>
    public static readonly (string Name, string Original)[] ReferenceImages =
    [
        ("astronaut", "images/skimage/astronaut.png"), ("bird", "images/coral/bird.bmp"),
        ("bird_segmentation", "segmentation/bird_segmentation.bmp"), ("cat", "images/coral/cat.bmp"),
        ("chelsea", "images/skimage/chelsea.png"), ("coffee", "images/skimage/coffee.png"),
        ("dog_bicycle_truck", "images/darknet/dog.jpg"), ("grace_hopper", "images/coral/grace_hopper.bmp"),
        ("kitten", "images/winml/kitten_224.png"), ("parrot", "images/coral/parrot.jpg"),
        ("rocket", "images/skimage/rocket.jpg"), ("samoyed_segmentation", "segmentation/dog_segmentation_256.bmp"),
    ];

    [SharedTheory("data/reference/imagenet_reference_outputs.json", "data/images", "data/segmentation")]
    [InlineData("mobilenetv2")]
    [InlineData("squeezenet")]
    [InlineData("tiny-darknet")]
    public void Descriptor_preprocessing_of_the_originals_gives_the_reference_top1(string name)
    {
        var model = Zoo.Load(name);
        string key = Path.GetFileNameWithoutExtension(model.Descriptor.File);
        using var reference = JsonDocument.Parse(File.ReadAllText(SharedData.Path("data/reference/imagenet_reference_outputs.json")));
        var results = reference.RootElement.GetProperty("models").GetProperty(key).GetProperty("results");
        Assert.Equal(ReferenceImages.Length, results.EnumerateObject().Count());

        var wrong = new List<string>();
        foreach (var (image, original) in ReferenceImages)
        {
            var input = ImageTensor.Load(SharedData.Path("data/" + original), model.Preprocess);
            Assert.Equal([1, 3, model.Descriptor.InputSize, model.Descriptor.InputSize], input.Shape.ToArray());
            Tensor logits;
            using (GradMode.Off()) logits = model.Module.Call(input);
            var scores = logits.ToArray();
            int top1 = Array.IndexOf(scores, scores.Max());
            int expected = results.GetProperty(image).GetProperty("top5")[0][0].GetInt32();
            output.WriteLine($"{name} {image}: top-1 {top1} {model.Label(top1)} (reference {expected} {model.Label(expected)})");
            if (top1 != expected) wrong.Add($"{image}: {top1} {model.Label(top1)} instead of {expected} {model.Label(expected)}");
        }
        Assert.True(wrong.Count == 0, $"{name}: {wrong.Count} of {ReferenceImages.Length} images differ: {string.Join("; ", wrong)}");
    }
}
