using System.Text.Json;
using Lumen.Imaging;
using Lumen.Reports.Explain;

namespace Lumen.Reports.Evaluate;

/// <summary>
/// Loads the images of an evaluation and their object masks from a folder. A mask is found, for image
/// <c>name.ext</c>, as the folder's <c>annotations.json</c> entry for it (<c>{"image": "…/name.ext", "mask": "…",
/// "foreground_values": [3]}</c>: the grey values that mean "object", e.g. a class index or a trimap's pet value),
/// else as <c>name_mask.*</c> or a file whose name without <c>_mask</c> is the image's (<c>dog_mask_256.bmp</c> for
/// <c>dog_256.bmp</c>), where grey above 127 means object. Masks come back as 0/255 images at the image's size.
/// </summary>
/// <example><code>var images = EvaluateImageLoader.Load(["bird.bmp"], "masks/");</code></example>
public static class EvaluateImageLoader
{
    /// <summary>The images, each with its mask when <paramref name="maskFolder"/> is given.</summary>
    /// <exception cref="FileNotFoundException">An image, or the mask of an image, is missing.</exception>
    /// <exception cref="ArgumentException">A mask is not the size of its image.</exception>
    public static IReadOnlyList<EvaluateImage> Load(IReadOnlyList<string> files, string? maskFolder)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (maskFolder is not null && !Directory.Exists(maskFolder)) throw new DirectoryNotFoundException($"--masks: {maskFolder} does not exist.");
        var annotations = maskFolder is null ? [] : Annotations(maskFolder);
        var images = new List<EvaluateImage>();
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"Image {Path.GetFullPath(file)} does not exist.");
            var image = Image.Load(file);
            Image? mask = null;
            if (maskFolder is not null)
            {
                var (maskFile, values) = annotations.TryGetValue(Path.GetFileName(file), out var annotated) ? annotated : (FindMask(file, maskFolder), null);
                var raw = Image.Load(maskFile);
                if (raw.Width != image.Width || raw.Height != image.Height)
                    throw new ArgumentException($"--masks: {Path.GetFileName(maskFile)} is {raw.Width}×{raw.Height}, its image {Path.GetFileName(file)} is {image.Width}×{image.Height}.");
                mask = Binarise(raw.ToGrey(), values);
            }
            images.Add(new EvaluateImage(ExplainReportWriter.SafeName(Path.GetFileNameWithoutExtension(file)), image, mask));
        }
        return images;
    }

    /// <summary>255 where the grey value is one of <paramref name="objectValues"/> (or above 127 when null), else 0.</summary>
    public static Image Binarise(Image grey, IReadOnlyCollection<int>? objectValues)
    {
        ArgumentNullException.ThrowIfNull(grey);
        if (grey.Channels != 1) throw new ArgumentException($"Binarise: expects a grey image, got {grey.Channels} channels.", nameof(grey));
        var pixels = new byte[grey.Pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (objectValues is null ? grey.Pixels[i] > 127 : objectValues.Contains(grey.Pixels[i])) ? (byte)255 : (byte)0;
        return new Image(grey.Width, grey.Height, 1, pixels);
    }

    private static string FindMask(string image, string folder)
    {
        var stem = Path.GetFileNameWithoutExtension(image);
        var full = Path.GetFullPath(image);
        return Directory.GetFiles(folder, stem + "_mask.*")
            .Concat(Directory.GetFiles(folder, "*_mask*").Where(f => Path.GetFileNameWithoutExtension(f).Replace("_mask", "", StringComparison.Ordinal) == stem))
            .Concat(Directory.GetFiles(folder, stem + ".*"))
            .FirstOrDefault(f => Path.GetFullPath(f) != full)
            ?? throw new FileNotFoundException($"--masks: no mask for {Path.GetFileName(image)} in {folder} (annotations.json, {stem}_mask.*, or {stem}.*).");
    }

    /// <summary>annotations.json entries by image file name: the mask's path and its object values.</summary>
    private static Dictionary<string, (string Mask, int[]? Values)> Annotations(string folder)
    {
        var path = Path.Combine(folder, "annotations.json");
        var result = new Dictionary<string, (string, int[]?)>(StringComparer.Ordinal);
        if (!File.Exists(path)) return result;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            foreach (var entry in json.RootElement.EnumerateArray())
            {
                if (!entry.TryGetProperty("image", out var image) || !entry.TryGetProperty("mask", out var mask)) continue;
                int[]? values = entry.TryGetProperty("foreground_values", out var v) ? [.. v.EnumerateArray().Select(e => e.GetInt32())] : null;
                result[Path.GetFileName(image.GetString()!)] = (Path.Combine(folder, Path.GetFileName(mask.GetString()!)), values);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"--masks: {path} is not a list of {{image, mask, foreground_values}} entries: {e.Message}", e);
        }
        return result;
    }
}
