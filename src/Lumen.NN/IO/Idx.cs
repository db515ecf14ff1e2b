using System.Buffers.Binary;
using System.IO.Compression;
using Lumen.NN.Training;

namespace Lumen.NN.IO;

/// <summary>Reads IDX files (the MNIST/Fashion-MNIST format), plain or gzipped: a big-endian magic 0x0000 0x08 rank,
/// rank big-endian int32 dimensions, then unsigned bytes.</summary>
/// <remarks>LeCun, Cortes, Burges, "The MNIST database", http://yann.lecun.com/exdb/mnist/</remarks>
/// <example><code>var digits = Idx.LoadLabelledImages("../shared/data/mnist", mean: 0.1307f, std: 0.3081f);</code></example>
public static class Idx
{
    /// <summary>The dimensions and bytes of one unsigned-byte IDX file (.gz is decompressed).</summary>
    /// <exception cref="InvalidDataException">The file is not an unsigned-byte IDX file or is shorter than its header says.</exception>
    public static (int[] Dimensions, byte[] Data) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        using (var file = File.OpenRead(path))
        using (var memory = new MemoryStream())
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) { using var gzip = new GZipStream(file, CompressionMode.Decompress); gzip.CopyTo(memory); }
            else file.CopyTo(memory);
            bytes = memory.ToArray();
        }
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] is 0 or > 8)
            throw new InvalidDataException($"IDX: {path} is not an unsigned-byte IDX file (bad magic number).");
        int rank = bytes[3], header = 4 + 4 * rank;
        if (bytes.Length < header) throw new InvalidDataException($"IDX: {path} ends inside its header.");
        var dims = Enumerable.Range(0, rank).Select(i => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i))).ToArray();
        long size = dims.Aggregate(1L, (a, d) => a * d);
        if (dims.Any(d => d < 0) || bytes.Length - header < size)
            throw new InvalidDataException($"IDX: {path} holds {bytes.Length - header} bytes for dimensions [{string.Join(", ", dims)}].");
        return (dims, bytes[header..(header + (int)size)]);
    }

    /// <summary>Images and labels from the single <c>*images-idx3-ubyte*</c> and <c>*labels-idx1-ubyte*</c> files in
    /// <paramref name="directory"/>, as [N, 1, H, W] inputs (pixel/255 − mean) / std.</summary>
    /// <exception cref="FileNotFoundException">The folder lacks one of the files.</exception>
    /// <exception cref="InvalidDataException">The files are not IDX or disagree on the sample count.</exception>
    public static LabelledData LoadLabelledImages(string directory, float mean = 0, float std = 1)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (std <= 0) throw new ArgumentOutOfRangeException(nameof(std), $"IDX: std must be positive, got {std}.");
        static string One(string directory, string pattern) => Directory.GetFiles(directory, pattern) switch
        {
            [var single] => single,
            [] => throw new FileNotFoundException($"IDX: no {pattern} file in {directory}."),
            var many => throw new InvalidDataException($"IDX: {many.Length} {pattern} files in {directory}; keep one."),
        };
        var (imageDims, pixels) = Read(One(directory, "*images-idx3-ubyte*"));
        var (labelDims, labelBytes) = Read(One(directory, "*labels-idx1-ubyte*"));
        if (imageDims.Length != 3 || labelDims.Length != 1 || labelDims[0] != imageDims[0])
            throw new InvalidDataException($"IDX: images [{string.Join(", ", imageDims)}] and labels [{string.Join(", ", labelDims)}] in {directory} do not match.");
        var inputs = new float[pixels.Length];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (pixels[i] / 255f - mean) / std;
        return new LabelledData(inputs, [.. labelBytes.Select(b => (long)b)], [1, imageDims[1], imageDims[2]]);
    }
}
