using Lumen.Tensors;

namespace Lumen.Imaging;

/// <summary>
/// Converts between images and model tensors: image → [1, C, H, W] Float32 with a <see cref="Preprocess"/> recipe,
/// and tensor → displayable image by inverting it.
/// </summary>
/// <example><code>
/// var x = ImageTensor.Load("kitten.png", Preprocess.TinyDarknet);   // [1, 3, 224, 224], RGB/255
/// var back = ImageTensor.ToImage(x, Preprocess.TinyDarknet);        // 224×224 RGB
/// </code></example>
public static class ImageTensor
{
    /// <summary>Decodes the image at <paramref name="path"/> and preprocesses it into [1, C, H, W].</summary>
    public static Tensor Load(string path, Preprocess preprocess) => FromImage(Image.Load(path), preprocess);

    /// <summary>Decodes an image from <paramref name="stream"/> and preprocesses it into [1, C, H, W].</summary>
    public static Tensor Load(Stream stream, Preprocess preprocess) => FromImage(Image.Load(stream), preprocess);

    /// <summary>Preprocesses <paramref name="image"/> into a [1, C, H, W] Float32 tensor.</summary>
    /// <remarks>x[0, c, y, x] = (p_c(x, y) · Scale − Mean[c]) / Std[c], where p_c is channel c in the preset's order
    /// (grey = Pillow luma, alpha dropped).</remarks>
    public static Tensor FromImage(Image image, Preprocess preprocess)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(preprocess);
        preprocess.Validate();
        image = preprocess.ApplyGeometry(image);
        image = preprocess.Order == ChannelOrder.Grey ? (image.Channels == 1 ? image : image.ToGrey())
            : image.Channels == 3 ? image : image.ToRgb();
        int w = image.Width, h = image.Height, c = preprocess.Channels, plane = w * h;
        var data = new float[c * plane]; // [C, H, W]
        for (int ch = 0; ch < c; ch++)
        {
            int src = preprocess.Order == ChannelOrder.Bgr ? 2 - ch : ch;
            float scale = preprocess.Scale / preprocess.Std[ch], shift = preprocess.Mean[ch] / preprocess.Std[ch];
            for (int i = 0; i < plane; i++) data[ch * plane + i] = image.Pixels[i * c + src] * scale - shift;
        }
        return Tensor.FromArray(data, 1, c, h, w);
    }

    /// <summary>Inverts <paramref name="preprocess"/>'s normalisation and channel order: a [1, C, H, W] or [C, H, W]
    /// tensor (C = 1 or 3) becomes an 8-bit image (values rounded and clamped to 0..255).</summary>
    /// <exception cref="ArgumentException">When the tensor is not Float32 of one of those shapes.</exception>
    public static Image ToImage(Tensor tensor, Preprocess preprocess)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(preprocess);
        var (c, h, w) = ImageDims(tensor, "ToImage");
        if (c != preprocess.Channels)
            throw new ArgumentException($"ToImage: tensor {tensor.Shape} has {c} channels but the preprocess expects {preprocess.Channels}.");
        var values = tensor.AsReadOnlySpan();
        var image = new Image(w, h, c);
        int plane = w * h;
        for (int ch = 0; ch < c; ch++)
        {
            int dst = preprocess.Order == ChannelOrder.Bgr ? 2 - ch : ch;
            for (int i = 0; i < plane; i++)
            {
                float p = (values[ch * plane + i] * preprocess.Std[ch] + preprocess.Mean[ch]) / preprocess.Scale;
                image.Pixels[i * c + dst] = ToByte(p);
            }
        }
        return image;
    }

    /// <summary>Rounds and clamps a value to 0..255 (NaN → 0).</summary>
    internal static byte ToByte(float v) => float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(MathF.Round(v), 0f, 255f);

    /// <summary>(C, H, W) of a Float32 [1, C, H, W] or [C, H, W] tensor with C ∈ {1, 3}.</summary>
    internal static (int C, int H, int W) ImageDims(Tensor tensor, string op)
    {
        if (tensor.DType != DType.Float32) throw new ArgumentException($"{op}: expected a Float32 tensor, got {tensor.DType} {tensor.Shape}.");
        var d = tensor.Shape.Dims;
        bool ok = (d.Length == 4 && d[0] == 1) || d.Length == 3;
        int c = ok ? d[^3] : 0;
        if (!ok || c is not (1 or 3) || d[^1] == 0 || d[^2] == 0)
            throw new ArgumentException($"{op}: expected a [1, C, H, W] or [C, H, W] tensor with C = 1 or 3, got {tensor.Shape}.");
        return (c, d[^2], d[^1]);
    }
}
