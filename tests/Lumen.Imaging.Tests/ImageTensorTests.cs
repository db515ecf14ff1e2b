using Lumen.Tensors;

namespace Lumen.Imaging.Tests;

public class ImageTensorTests
{
    /// <summary>A 2×1 RGB image: pixel 0 = (10, 20, 30), pixel 1 = (200, 100, 0).</summary>
    private static Image Tiny() => new(2, 1, 3, [10, 20, 30, 200, 100, 0]);

    private static readonly Preprocess NoGeometry = new();

    [Fact]
    public void SqueezeNet_is_bgr_raw()
    {
        var t = ImageTensor.FromImage(Tiny(), Preprocess.SqueezeNet with { ResizeShorterSide = null, CropSize = null });
        Assert.Equal(new[] { 1, 3, 1, 2 }, t.Shape.ToArray());
        Assert.Equal([30f, 0f, 20f, 100f, 10f, 200f], t.ToArray());
    }

    [Fact]
    public void TinyDarknet_is_rgb_over_255()
    {
        var t = ImageTensor.FromImage(Tiny(), Preprocess.TinyDarknet with { ResizeShorterSide = null, CropSize = null });
        var expected = new[] { 10f, 200f, 20f, 100f, 30f, 0f }.Select(v => v / 255f).ToArray();
        Assert.Equal(expected, t.ToArray(), new FloatComparer(1e-6f));
    }

    [Fact]
    public void MobileNetV2_maps_to_minus_one_one()
    {
        var t = ImageTensor.FromImage(Tiny(), Preprocess.MobileNetV2 with { ResizeShorterSide = null, CropSize = null });
        var expected = new[] { 10f, 200f, 20f, 100f, 30f, 0f }.Select(v => (v - 127.5f) / 127.5f).ToArray();
        Assert.Equal(expected, t.ToArray(), new FloatComparer(1e-6f));
    }

    [Fact]
    public void ImageNet_uses_torchvision_mean_and_std()
    {
        var p = Preprocess.ImageNet(224);
        Assert.Equal(256, p.ResizeShorterSide);
        var t = ImageTensor.FromImage(Tiny(), p with { ResizeShorterSide = null, CropSize = null });
        Assert.Equal((10f / 255f - 0.485f) / 0.229f, t[0, 0, 0, 0], 5);
        Assert.Equal((0f - 0.406f) / 0.225f, t[0, 2, 0, 1], 5);
    }

    [Fact]
    public void Mnist_is_grey_28_by_28()
    {
        var digit = new Image(56, 56, 1);
        Array.Fill(digit.Pixels, (byte)255);
        var t = ImageTensor.FromImage(digit, Preprocess.Mnist);
        Assert.Equal(new[] { 1, 1, 28, 28 }, t.Shape.ToArray());
        Assert.All(t.ToArray(), v => Assert.Equal(255f, v));
    }

    [Fact]
    public void Shared_preset_gives_224_square()
    {
        var image = new Image(300, 200, 4);
        var t = ImageTensor.FromImage(image, Preprocess.TinyDarknet);
        Assert.Equal(new[] { 1, 3, 224, 224 }, t.Shape.ToArray());
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void ToImage_inverts_FromImage(string name)
    {
        var preset = Preset(name);
        var image = Image.Load(TestData.Fixture("rgb8.png"));
        if (preset.Order == ChannelOrder.Grey) image = image.ToGrey();
        var t = ImageTensor.FromImage(image, preset);
        var back = ImageTensor.ToImage(t, preset);
        Assert.Equal(image.Pixels, back.Pixels);
    }

    public static IEnumerable<object[]> Presets => [["imagenet"], ["squeezenet"], ["darknet"], ["mobilenet"], ["grey"]];

    private static Preprocess Preset(string name) => name switch
    {
        "imagenet" => Preprocess.ImageNet() with { ResizeShorterSide = null, CropSize = null },
        "squeezenet" => Preprocess.SqueezeNet with { ResizeShorterSide = null, CropSize = null },
        "darknet" => Preprocess.TinyDarknet with { ResizeShorterSide = null, CropSize = null },
        "mobilenet" => Preprocess.MobileNetV2 with { ResizeShorterSide = null, CropSize = null },
        _ => Preprocess.Mnist with { ResizeTo = null },
    };

    [Fact]
    public void Bad_presets_and_tensors_are_refused()
    {
        var bad = NoGeometry with { Mean = [0f] };
        Assert.Contains("3 channels need 3 mean", Assert.Throws<ArgumentException>(() => ImageTensor.FromImage(Tiny(), bad)).Message);
        Assert.Contains("std", Assert.Throws<ArgumentException>(() => ImageTensor.FromImage(Tiny(), NoGeometry with { Std = [1f, 0f, 1f] })).Message);
        var ex = Assert.Throws<ArgumentException>(() => ImageTensor.ToImage(Tensor.Zeros(2, 3, 4, 4), NoGeometry));
        Assert.Contains("[2, 3, 4, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => ImageTensor.ToImage(Tensor.Zeros(1, 1, 4, 4), NoGeometry));
        Assert.Contains("1 channels but the preprocess expects 3", ex.Message);
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
