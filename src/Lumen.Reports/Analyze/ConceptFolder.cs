using Lumen.Analysis.Dissection;
using Lumen.Imaging;
using Lumen.Tensors;

namespace Lumen.Reports.Analyze;

/// <summary>
/// A user's concept set for network dissection, read from a folder of images with optional masks.
/// </summary>
/// <remarks>
/// Layout (one folder per concept, optionally grouped by category):
/// <code>
/// concepts/
///   striped/               a concept of category "custom": its images
///     zebra1.png           the whole image shows the concept, unless
///     zebra2.jpg
///     zebra2_mask.png      … a mask is there: its non-black pixels mark where the concept is
///   color/                 a category folder (it holds folders, not images)
///     teal/ *.png          concept "teal" of category "color"
/// </code>
/// Images are PNG, JPEG, BMP or PPM/PGM; a mask is the image's name plus <c>_mask</c>, in any of those formats. Every
/// image is labelled with its folder's concept only (other concepts count as absent from it), and is resized — with
/// its mask (nearest neighbour) — to <c>size</c>×<c>size</c>. Concepts are ordered by category folder, then name.
/// </remarks>
/// <example><code>
/// var set = ConceptFolder.Load("my-concepts", size: 224);
/// var report = new DissectionJob("resnet", model, preprocess, new() { HookPoints = ["layer1.0.relu"] }).Run(set);
/// </code></example>
public static class ConceptFolder
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".pnm"];

    /// <summary>Reads the layout under <paramref name="folder"/>; images are decoded lazily, one sample at a time.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentException">It holds no concept folder with images, or size is below 8.</exception>
    public static ConceptSet Load(string folder, int size)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Concept folder {folder} does not exist.");
        if (size < 8) throw new ArgumentException($"ConceptFolder: size must be ≥ 8, got {size}.");
        var concepts = new List<Concept>();
        var files = new List<(int Concept, string Image, string? Mask)>();
        foreach (var top in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            bool isCategory = Images(top).Length == 0 && Directory.GetDirectories(top).Length > 0;
            var conceptFolders = isCategory ? Directory.GetDirectories(top).Order(StringComparer.Ordinal).ToArray() : [top];
            foreach (var dir in conceptFolders)
            {
                var images = Images(dir);
                if (images.Length == 0) continue;
                concepts.Add(new Concept(Path.GetFileName(dir), isCategory ? Path.GetFileName(top) : "custom"));
                var masks = Directory.GetFiles(dir).Where(f => Path.GetFileNameWithoutExtension(f).EndsWith("_mask", StringComparison.Ordinal))
                    .ToDictionary(f => Path.GetFileNameWithoutExtension(f)[..^"_mask".Length], StringComparer.Ordinal);
                files.AddRange(images.Select(f => (concepts.Count - 1, f, masks.GetValueOrDefault(Path.GetFileNameWithoutExtension(f)))));
            }
        }
        if (files.Count == 0)
            throw new ArgumentException($"Concept folder {folder} holds no concept: expected {folder}/<concept>/*.png (with optional *_mask.png) or {folder}/<category>/<concept>/*.png.");
        return new ConceptSet($"{folder} ({concepts.Count} concepts, {files.Count} images)", concepts, files.Count, size, size, i =>
        {
            var (concept, image, mask) = files[i];
            var rgb = ImageTensor.FromImage(Image.Load(image).ToRgb().Resize(size, size), Preprocess.UnitRgb).Reshape(3, size, size);
            bool[] pixels;
            if (mask is null) pixels = Enumerable.Repeat(true, size * size).ToArray();
            else
            {
                var m = Image.Load(mask).ToGrey().Resize(size, size, ResampleFilter.Nearest);
                pixels = [.. m.Pixels.Select(v => v > 0)];
            }
            return new ConceptSample(Path.GetFileName(image), rgb, pixels.Any(p => p) ? [new ConceptMask(concept, pixels)] : []);
        });
    }

    private static string[] Images(string dir) =>
        [.. Directory.GetFiles(dir).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()) && !Path.GetFileNameWithoutExtension(f).EndsWith("_mask", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
}
