namespace Lumen.Imaging;

/// <summary>
/// How an image becomes a model input: optional resize of the shorter side and centre crop (or a direct resize),
/// channel order, then per channel x = (pixel · <see cref="Scale"/> − Mean[c]) / Std[c], laid out NCHW.
/// </summary>
/// <example><code>
/// var input = ImageTensor.Load("dog.png", Preprocess.ImageNet(224));   // [1, 3, 224, 224]
/// var caffe = ImageTensor.Load("dog.png", Preprocess.SqueezeNet);      // BGR, 0..255
/// </code></example>
public sealed record Preprocess
{
    /// <summary>When set, the shorter side is resized to this many pixels first (aspect ratio kept).</summary>
    public int? ResizeShorterSide { get; init; }

    /// <summary>When set, the central CropSize×CropSize square is kept after the resize.</summary>
    public int? CropSize { get; init; }

    /// <summary>When set (and <see cref="ResizeShorterSide"/> is not), the image is resized to exactly this
    /// (width, height), ignoring its aspect ratio.</summary>
    public (int Width, int Height)? ResizeTo { get; init; }

    /// <summary>Resampling filter for the resize (Pillow-compatible).</summary>
    public ResampleFilter Filter { get; init; } = ResampleFilter.Bilinear;

    /// <summary>Channel order of the tensor.</summary>
    public ChannelOrder Order { get; init; } = ChannelOrder.Rgb;

    /// <summary>Multiplier applied to the 0..255 pixel before the mean is subtracted.</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>Per-channel mean (in the tensor's channel order), subtracted after scaling; one value per channel.</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0f, 0f, 0f];

    /// <summary>Per-channel standard deviation (in the tensor's channel order) divided by last.</summary>
    public IReadOnlyList<float> Std { get; init; } = [1f, 1f, 1f];

    /// <summary>Number of tensor channels: 1 for <see cref="ChannelOrder.Grey"/>, else 3.</summary>
    public int Channels => Order == ChannelOrder.Grey ? 1 : 3;

    /// <summary>The recipe used for <c>shared/data/ppm224</c> and the shipped ImageNet models: shorter side to
    /// <paramref name="size"/> (bilinear, antialiased), centre crop <paramref name="size"/>.</summary>
    private static Preprocess Crop(int size) => new() { ResizeShorterSide = size, CropSize = size };

    /// <summary>torchvision ImageNet evaluation: shorter side to round(size · 256/224), centre crop, RGB/255,
    /// mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).</summary>
    public static Preprocess ImageNet(int size = 224) => new()
    {
        ResizeShorterSide = (int)Math.Round(size * 256.0 / 224.0),
        CropSize = size,
        Scale = 1f / 255f,
        Mean = [0.485f, 0.456f, 0.406f],
        Std = [0.229f, 0.224f, 0.225f],
    };

    /// <summary>SqueezeNet 1.0 (Caffe2 zoo): BGR, raw 0..255, no mean; 224 shorter side + 224 centre crop.</summary>
    public static Preprocess SqueezeNet { get; } = Crop(224) with { Order = ChannelOrder.Bgr };

    /// <summary>Tiny Darknet: RGB, pixel/255; 224 shorter side + 224 centre crop.</summary>
    public static Preprocess TinyDarknet { get; } = Crop(224) with { Scale = 1f / 255f };

    /// <summary>MobileNetV2 (TF-slim): RGB, (pixel − 127.5)/127.5 ∈ [−1, 1]; 224 shorter side + 224 centre crop.</summary>
    public static Preprocess MobileNetV2 { get; } = Crop(224) with { Mean = [127.5f, 127.5f, 127.5f], Std = [127.5f, 127.5f, 127.5f] };

    /// <summary>MNIST (CNTK model): grey, resized to 28×28, raw 0..255.</summary>
    public static Preprocess Mnist { get; } = new() { ResizeTo = (28, 28), Order = ChannelOrder.Grey, Mean = [0f], Std = [1f] };

    /// <summary>No geometry change, RGB, pixel/255.</summary>
    public static Preprocess UnitRgb { get; } = new() { Scale = 1f / 255f };

    /// <summary>Applies the geometric part (resize, crop) to <paramref name="image"/>.</summary>
    public Image ApplyGeometry(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (ResizeShorterSide is int s) image = image.ResizeShorterSide(s, Filter);
        else if (ResizeTo is var (w, h)) image = image.Resize(w, h, Filter);
        if (CropSize is int c) image = image.CenterCrop(c, c);
        return image;
    }

    /// <summary>Throws unless Mean and Std have one entry per channel and Std has no zero.</summary>
    internal void Validate()
    {
        if (Mean.Count != Channels || Std.Count != Channels)
            throw new ArgumentException($"Preprocess: {Channels} channels need {Channels} mean and std values, got {Mean.Count} and {Std.Count}.");
        if (Std.Any(v => v == 0f)) throw new ArgumentException("Preprocess: std values must be non-zero.");
        if (Scale == 0f) throw new ArgumentException("Preprocess: scale must be non-zero.");
    }
}
