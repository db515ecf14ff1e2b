using Lumen.Imaging;
using Lumen.Tensors;

namespace Lumen.Reports.Analyze;

/// <summary>
/// The examples an analysis streams through a model: a folder of images or an IDX file (MNIST-style), read lazily
/// and batched, each with a name and the image as the model sees it (after the preprocessing's geometry).
/// </summary>
/// <example><code>
/// var digits = ExampleSet.FromIdx("mnist-images-idx3-ubyte.gz", Preprocess.Mnist, limit: 2000);
/// foreach (var batch in digits.Batches(64)) recorder.Add(batch);     // [64, 1, 28, 28]
/// </code></example>
public sealed class ExampleSet
{
    private readonly Func<int, string> name;
    private readonly Func<int, Image> load;

    private ExampleSet(string description, int count, Preprocess preprocess, Func<int, string> name, Func<int, Image> load, IReadOnlyList<int>? labels)
    {
        Description = description;
        Count = count;
        Preprocess = preprocess;
        this.name = name;
        this.load = load;
        Labels = labels;
    }

    /// <summary>What the examples are, for reports (folder or file and count).</summary>
    public string Description { get; }

    /// <summary>Number of examples.</summary>
    public int Count { get; }

    /// <summary>How an example image becomes the model input.</summary>
    public Preprocess Preprocess { get; }

    /// <summary>Integer labels by example, when the source has them (an IDX label file).</summary>
    public IReadOnlyList<int>? Labels { get; }

    /// <summary>The image files of <paramref name="folder"/> (PNG, JPEG, BMP, PPM/PGM), in name order, at most <paramref name="limit"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentException">It holds no image file.</exception>
    public static ExampleSet FromImageFolder(string folder, Preprocess preprocess, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(preprocess);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Example folder {folder} does not exist.");
        string[] extensions = [".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".pnm"];
        var files = Directory.GetFiles(folder).Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).Take(limit ?? int.MaxValue).ToArray();
        if (files.Length == 0) throw new ArgumentException($"Example folder {folder} holds no image file ({string.Join(", ", extensions)}).");
        return new ExampleSet($"{folder} ({files.Length} images)", files.Length, preprocess,
            i => Path.GetFileNameWithoutExtension(files[i]), i => Image.Load(files[i]), null);
    }

    /// <summary>The images of an IDX file ([N, rows, cols], 0..255), with the labels of <paramref name="labelsPath"/>
    /// when given. A <paramref name="limit"/> below N keeps N/limit-spaced examples spread over the whole file, since
    /// IDX files are often sorted by label.</summary>
    /// <exception cref="InvalidDataException">Not an IDX image file, or the labels do not match.</exception>
    public static ExampleSet FromIdx(string imagesPath, Preprocess preprocess, int? limit = null, string? labelsPath = null)
    {
        ArgumentNullException.ThrowIfNull(preprocess);
        var images = IdxFile.Load(imagesPath);
        if (images.Rank != 3) throw new InvalidDataException($"{imagesPath}: expected IDX images [N, rows, cols], got {images.Shape}.");
        int total = images.Shape[0], h = images.Shape[1], w = images.Shape[2];
        int n = Math.Min(total, limit ?? total);
        var picked = Enumerable.Range(0, n).Select(i => (int)((long)i * total / n)).ToArray();
        int[]? labels = null;
        if (labelsPath is not null)
        {
            var l = IdxFile.Load(labelsPath);
            if (l.Rank != 1 || l.Shape[0] != total) throw new InvalidDataException($"{labelsPath}: expected {total} labels, got {l.Shape}.");
            var all = l.ToArray();
            labels = [.. picked.Select(i => (int)all[i])];
        }
        var values = images.ToArray();
        return new ExampleSet($"{Path.GetFileName(imagesPath)} ({n} of {total} images)", n, preprocess,
            i => $"#{picked[i]}" + (labels is null ? "" : $" ({labels[i]})"), i =>
            {
                var image = new Image(w, h, 1);
                for (int p = 0; p < w * h; p++) image.Pixels[p] = (byte)Math.Clamp(values[picked[i] * w * h + p], 0f, 255f);
                return image;
            }, labels);
    }

    /// <summary>Example <paramref name="index"/>'s name (file name or "#index (label)"), without reading its image.</summary>
    public string Name(int index) => name(Check(index));

    /// <summary>Example <paramref name="index"/> as the model sees it (geometry applied), RGB.</summary>
    public Image Display(int index) => Preprocess.ApplyGeometry(load(Check(index))).ToRgb();

    /// <summary>Example <paramref name="index"/> as a model input [1, C, H, W].</summary>
    public Tensor Input(int index) => ImageTensor.FromImage(load(Check(index)), Preprocess);

    /// <summary>The examples in order from <paramref name="from"/>, as inputs [B, C, H, W] of at most
    /// <paramref name="batchSize"/> examples.</summary>
    public IEnumerable<Tensor> Batches(int batchSize, int from = 0)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"ExampleSet: batch size must be ≥ 1, got {batchSize}.");
        if (from < 0 || from > Count) throw new ArgumentOutOfRangeException(nameof(from), $"ExampleSet: cannot start at example {from} of {Count}.");
        for (int start = from; start < Count; start += batchSize)
            yield return Tensor.Concat([.. Enumerable.Range(start, Math.Min(batchSize, Count - start)).Select(Input)]);
    }

    private int Check(int index) => index >= 0 && index < Count ? index
        : throw new ArgumentOutOfRangeException(nameof(index), $"ExampleSet: example {index} is out of range; there are {Count}.");
}
