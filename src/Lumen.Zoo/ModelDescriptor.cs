using System.Text.Json;
using System.Text.Json.Serialization;
using Lumen.Imaging;

namespace Lumen.Zoo;

/// <summary>A zoo model's descriptor (<c>models/&lt;name&gt;.json</c>): where its files are, how its input is
/// prepared, what its output means, and its licence and source.</summary>
public sealed record ModelDescriptor
{
    /// <summary>Short name used on the command line, e.g. <c>mobilenetv2</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Human-readable title.</summary>
    public string Title { get; init; } = "";

    /// <summary>The ONNX file, relative to the zoo folder.</summary>
    public required string File { get; init; }

    /// <summary>The label file (one class a line, "wnid name" or just "name"), relative to the zoo folder.</summary>
    public required string Labels { get; init; }

    /// <summary>The ONNX input name.</summary>
    public string Input { get; init; } = "input";

    /// <summary>Square input size in pixels.</summary>
    public int InputSize { get; init; } = 224;

    /// <summary>How an image becomes the input tensor.</summary>
    public required PreprocessDescriptor Preprocess { get; init; }

    /// <summary>True when the model's output is already a softmax (explain it as a probability, not a logit).</summary>
    public bool OutputIsProbability { get; init; }

    /// <summary>True for the model <c>lumen explain</c> uses when none is named.</summary>
    public bool Default { get; init; }

    /// <summary>Licence of the model and its weights.</summary>
    public string License { get; init; } = "";

    /// <summary>Where the file came from and how it was converted.</summary>
    public string Source { get; init; } = "";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Reads a descriptor, naming the file in any error.</summary>
    public static ModelDescriptor Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelDescriptor>(System.IO.File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"Model descriptor {path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Model descriptor {path} is not valid: {e.Message}", e);
        }
    }
}

/// <summary>The preprocessing part of a descriptor, mapped onto <see cref="Lumen.Imaging.Preprocess"/>.</summary>
public sealed record PreprocessDescriptor
{
    /// <summary>Resize the shorter side to this many pixels first.</summary>
    public int? ResizeShorterSide { get; init; }

    /// <summary>Then keep the central square of this size.</summary>
    public int? CropSize { get; init; }

    /// <summary>RGB, BGR or Grey.</summary>
    public string ChannelOrder { get; init; } = "RGB";

    /// <summary>Pixel multiplier before the mean is subtracted.</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>Per-channel mean in the tensor's channel order.</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];

    /// <summary>Per-channel standard deviation in the tensor's channel order.</summary>
    public float[] Std { get; init; } = [1f, 1f, 1f];

    /// <summary>The equivalent <see cref="Lumen.Imaging.Preprocess"/>.</summary>
    public Preprocess ToPreprocess() => new()
    {
        ResizeShorterSide = ResizeShorterSide,
        CropSize = CropSize,
        Order = Enum.TryParse<ChannelOrder>(ChannelOrder, ignoreCase: true, out var order)
            ? order
            : throw new InvalidDataException($"Model descriptor: unknown channel order '{ChannelOrder}' (expected RGB, BGR or Grey)."),
        Scale = Scale,
        Mean = Mean,
        Std = Std,
    };
}
