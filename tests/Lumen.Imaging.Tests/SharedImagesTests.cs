using Xunit.Abstractions;

namespace Lumen.Imaging.Tests;

/// <summary>Real images from ../shared/data (skipped with a message when the folder is absent).</summary>
public class SharedImagesTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Expected =>
    [
        ["images/skimage/chelsea.png", 451, 300, 3], ["images/skimage/coffee.png", 600, 400, 3],
        ["images/skimage/astronaut.png", 512, 512, 3], ["images/skimage/rocket.jpg", 640, 427, 3],
        ["images/skimage/camera.png", 512, 512, 1], ["images/skimage/horse.png", 400, 328, 4],
        ["images/sklearn/china.jpg", 640, 427, 3], ["images/sklearn/flower.jpg", 640, 427, 3],
        ["images/coral/cat.bmp", 512, 341, 3], ["images/coral/bird.bmp", 512, 343, 3],
        ["images/coral/grace_hopper.bmp", 512, 600, 3], ["images/coral/parrot.jpg", 512, 929, 3],
        ["images/coral/owl.jpg", 512, 384, 3], ["images/coral/sunflower.bmp", 512, 340, 3],
        ["images/coral/dragonfly.bmp", 512, 418, 3], ["images/coral/hot_dog.jpg", 512, 384, 3],
        ["images/coral/pets.jpg", 512, 430, 3], ["images/winml/kitten_224.png", 224, 224, 4],
        ["images/winml/lobster.jpg", 500, 375, 3], ["images/darknet/dog.jpg", 768, 576, 3],
        ["images/darknet/eagle.jpg", 773, 512, 3], ["images/darknet/giraffe.jpg", 500, 500, 3],
        ["images/darknet/horses.jpg", 773, 512, 3], ["segmentation/bird_segmentation.bmp", 513, 513, 3],
        ["segmentation/bird_segmentation_mask.bmp", 513, 513, 1], ["segmentation/dog_segmentation_256.bmp", 256, 256, 3],
        ["segmentation/dog_segmentation_mask_256.bmp", 256, 256, 1], ["ppm224/kitten.ppm", 224, 224, 3],
        ["ppm224/bird_segmentation_mask.pgm", 224, 224, 1],
    ];

    /// <summary>The originals behind shared/data/ppm224 (see shared/data/MANIFEST.md).</summary>
    public static IEnumerable<object[]> Ppm224Sources =>
    [
        ["astronaut", "images/skimage/astronaut.png"], ["bird", "images/coral/bird.bmp"],
        ["bird_segmentation", "segmentation/bird_segmentation.bmp"], ["cat", "images/coral/cat.bmp"],
        ["chelsea", "images/skimage/chelsea.png"], ["coffee", "images/skimage/coffee.png"],
        ["dog_bicycle_truck", "images/darknet/dog.jpg"], ["grace_hopper", "images/coral/grace_hopper.bmp"],
        ["kitten", "images/winml/kitten_224.png"], ["parrot", "images/coral/parrot.jpg"],
        ["rocket", "images/skimage/rocket.jpg"], ["samoyed_segmentation", "segmentation/dog_segmentation_256.bmp"],
    ];

    private static string Data => SharedData.Path("data");

    [SharedTheory("data")]
    [MemberData(nameof(Expected))]
    public void Every_shared_image_decodes_with_expected_dimensions(string file, int width, int height, int channels)
    {
        var data = Data;
        var image = Image.Load(Path.Combine(data, file));
        Assert.Equal((width, height, channels), (image.Width, image.Height, image.Channels));
    }

    [SharedFact("data")]
    public void No_shared_image_is_left_out()
    {
        var data = Data;
        var listed = Expected.Select(e => (string)e[0]).ToHashSet();
        foreach (var f in Directory.EnumerateFiles(Path.Combine(data, "images"), "*.*", SearchOption.AllDirectories))
            if (ImageDecoder.DetectFormat(File.ReadAllBytes(f)) is not null)
                Assert.Contains(Path.GetRelativePath(data, f).Replace('\\', '/'), listed);
    }

    [SharedFact("data")]
    public void Segmentation_masks_keep_their_label_values()
    {
        var data = Data;
        var mask = Image.Load(Path.Combine(data, "segmentation/bird_segmentation_mask.bmp"));
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, mask.Pixels.Distinct().Order().ToArray());
    }

    /// <summary>The ppm224 recipe (shorter side → 224 bilinear, centre crop 224; Pillow 9.4) applied to the originals
    /// — PNG, BMP and JPEG — reproduces shared/data/ppm224 (measured: max 0, mean 0 on all 12).</summary>
    [SharedTheory("data")]
    [MemberData(nameof(Ppm224Sources))]
    public void Ppm224_recipe_reproduces_the_shared_inputs(string name, string source)
    {
        var data = Data;
        var ours = Image.Load(Path.Combine(data, source)).ToRgb().ResizeAndCenterCrop(224, 224);
        var reference = Image.Load(Path.Combine(data, "ppm224", name + ".ppm"));
        var (max, mean) = TestData.Diff(reference, ours);
        output.WriteLine($"{name}: max {max}, mean {mean:F4}");
        Assert.True(max <= 1 && mean < 0.01, $"{name}: max {max}, mean {mean:F4}");
    }

    /// <summary>The model presets turn the originals into exactly the tensors the reference outputs were computed
    /// from (ppm224 + per-model normalisation, shared/data/MANIFEST.md).</summary>
    [SharedTheory("data")]
    [InlineData("squeezenet")]
    [InlineData("darknet")]
    [InlineData("mobilenet")]
    public void Model_presets_reproduce_the_reference_inputs(string model)
    {
        var data = Data;
        var preset = model switch
        {
            "squeezenet" => Preprocess.SqueezeNet,
            "darknet" => Preprocess.TinyDarknet,
            _ => Preprocess.MobileNetV2,
        };
        var fromOriginal = ImageTensor.Load(Path.Combine(data, "images/darknet/dog.jpg"), preset);
        var fromPpm = ImageTensor.FromImage(Image.Load(Path.Combine(data, "ppm224/dog_bicycle_truck.ppm")),
            preset with { ResizeShorterSide = null, CropSize = null });
        Assert.Equal(new[] { 1, 3, 224, 224 }, fromOriginal.Shape.ToArray());
        Assert.Equal(fromPpm.ToArray(), fromOriginal.ToArray());
    }

    /// <summary>Masks use nearest-neighbour resizing; Pillow's tie-breaking is reproduced (256 → 224 has many exact
    /// ties), so the shared 224×224 masks come out identical.</summary>
    [SharedTheory("data")]
    [InlineData("segmentation/bird_segmentation_mask.bmp", "ppm224/bird_segmentation_mask.pgm", 3)]
    [InlineData("segmentation/dog_segmentation_mask_256.bmp", "ppm224/samoyed_segmentation_mask.pgm", 0)]
    public void Mask_recipe_reproduces_the_shared_masks(string source, string reference, int foreground)
    {
        var data = Data;
        var labels = Image.Load(Path.Combine(data, source)).ResizeAndCenterCrop(224, 224, ResampleFilter.Nearest);
        var expected = Image.Load(Path.Combine(data, reference));
        int differing = 0;
        for (int i = 0; i < labels.Pixels.Length; i++)
            if ((labels.Pixels[i] == foreground ? 255 : 0) != expected.Pixels[i]) differing++;
        Assert.Equal(0, differing);
    }
}
