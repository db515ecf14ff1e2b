using Lumen.Tensors;

namespace Lumen.Metrics.Common;

/// <summary>
/// How a row of the input splits into features that metrics remove, rank and localise: for images [B, C, H, W] a
/// feature is a pixel (its C channels together, its relevance the sum over channels, as Quantus does); otherwise a
/// feature is one element of the row.
/// </summary>
internal sealed class FeatureLayout
{
    private FeatureLayout(int channels, int features, int height, int width)
    {
        Channels = channels;
        Features = features;
        Height = height;
        Width = width;
    }

    /// <summary>Channels per feature.</summary>
    public int Channels { get; }

    /// <summary>Features per row.</summary>
    public int Features { get; }

    /// <summary>Image height (1 for non-images).</summary>
    public int Height { get; }

    /// <summary>Image width (the feature count for non-images).</summary>
    public int Width { get; }

    /// <summary>Elements per row.</summary>
    public int RowSize => Channels * Features;

    /// <summary>The layout of an input of shape [B, …].</summary>
    public static FeatureLayout Of(Shape input) =>
        input.Rank == 4 ? new FeatureLayout(input[1], input[2] * input[3], input[2], input[3])
        : new FeatureLayout(1, input.Size / Math.Max(input[0], 1), 1, input.Size / Math.Max(input[0], 1));

    /// <summary>The relevance of each feature: the attribution summed over channels.</summary>
    public double[] Relevance(ReadOnlySpan<float> attributionRow)
    {
        var relevance = new double[Features];
        for (int c = 0; c < Channels; c++)
            for (int f = 0; f < Features; f++) relevance[f] += attributionRow[c * Features + f];
        return relevance;
    }

    /// <summary>Copies feature <paramref name="feature"/> (all channels) from <paramref name="source"/> into <paramref name="row"/>.</summary>
    public void Replace(Span<float> row, ReadOnlySpan<float> source, int feature)
    {
        for (int c = 0; c < Channels; c++) row[c * Features + feature] = source[c * Features + feature];
    }

    /// <summary>Per sample, which features lie on the object: a mask of shape [B, H, W], [B, 1, H, W], the input's
    /// shape (a pixel is on the object if any channel is nonzero) or [B, features].</summary>
    public static bool[][] MaskOf(Shape inputShape, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var layout = Of(inputShape);
        int samples = inputShape[0];
        if (mask.Rank < 1 || mask.Shape[0] != samples || mask.Size % samples != 0)
            throw new ArgumentException($"Mask: shape {mask.Shape} does not match a batch of {samples} inputs {inputShape}.");
        int perSample = mask.Size / samples;
        int channels = perSample == layout.Features ? 1 : perSample == layout.RowSize ? layout.Channels
            : throw new ArgumentException($"Mask: {perSample} values per sample; expected {layout.Features} (one per pixel/feature) or {layout.RowSize} (input-shaped) for input {inputShape}.");
        var values = mask.DType == DType.Float32 ? mask.AsReadOnlySpan().ToArray() : mask.ToFloat32().AsReadOnlySpan().ToArray();
        var result = new bool[samples][];
        for (int b = 0; b < samples; b++)
        {
            result[b] = new bool[layout.Features];
            for (int c = 0; c < channels; c++)
                for (int f = 0; f < layout.Features; f++)
                    if (values[b * perSample + c * layout.Features + f] != 0) result[b][f] = true;
        }
        return result;
    }
}
