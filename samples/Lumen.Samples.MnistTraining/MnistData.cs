using System.Buffers.Binary;
using System.IO.Compression;

namespace Lumen.Samples.MnistTraining;

/// <summary>MNIST digits read from gzipped IDX files: images as floats normalised with the usual MNIST mean and
/// standard deviation, and labels.</summary>
internal sealed class MnistData
{
    public const int Side = 28;
    public const int Pixels = Side * Side;
    private const float Mean = 0.1307f, Std = 0.3081f;

    private MnistData(float[] images, long[] labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>Normalised pixels, [Count, 28, 28] row-major.</summary>
    public float[] Images { get; }

    /// <summary>Digit labels 0…9.</summary>
    public long[] Labels { get; }

    public int Count => Labels.Length;

    /// <summary>Reads <c>*-images-idx3-ubyte.gz</c> and <c>*-labels-idx1-ubyte.gz</c> from <paramref name="directory"/>.</summary>
    public static MnistData Load(string directory)
    {
        var imagePath = Directory.GetFiles(directory, "*images-idx3-ubyte.gz").Single();
        var labelPath = Directory.GetFiles(directory, "*labels-idx1-ubyte.gz").Single();
        var imageBytes = ReadGzip(imagePath);
        var labelBytes = ReadGzip(labelPath);
        if (BinaryPrimitives.ReadInt32BigEndian(imageBytes) != 2051 || BinaryPrimitives.ReadInt32BigEndian(labelBytes) != 2049)
            throw new InvalidDataException($"MNIST: {imagePath} or {labelPath} is not an IDX image/label file (bad magic number).");
        int count = BinaryPrimitives.ReadInt32BigEndian(imageBytes.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(imageBytes.AsSpan(8)), cols = BinaryPrimitives.ReadInt32BigEndian(imageBytes.AsSpan(12));
        if (rows != Side || cols != Side || BinaryPrimitives.ReadInt32BigEndian(labelBytes.AsSpan(4)) != count || imageBytes.Length < 16 + count * Pixels || labelBytes.Length < 8 + count)
            throw new InvalidDataException($"MNIST: {count} images of {rows}×{cols} do not match the label file or the file sizes.");
        var images = new float[count * Pixels];
        for (int i = 0; i < images.Length; i++) images[i] = (imageBytes[16 + i] / 255f - Mean) / Std;
        var labels = new long[count];
        for (int i = 0; i < count; i++) labels[i] = labelBytes[8 + i];
        return new MnistData(images, labels);
    }

    /// <summary>Splits into (train, held-out) after a seeded shuffle, holding out <paramref name="heldOut"/> digits.</summary>
    public (MnistData Train, MnistData HeldOut) Split(int heldOut, int seed)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        return (Subset(order[heldOut..]), Subset(order[..heldOut]));
    }

    /// <summary>The digits at <paramref name="indices"/>, in that order.</summary>
    public MnistData Subset(ReadOnlySpan<int> indices)
    {
        var images = new float[indices.Length * Pixels];
        var labels = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            Images.AsSpan(indices[i] * Pixels, Pixels).CopyTo(images.AsSpan(i * Pixels));
            labels[i] = Labels[indices[i]];
        }
        return new MnistData(images, labels);
    }

    private static byte[] ReadGzip(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }
}
