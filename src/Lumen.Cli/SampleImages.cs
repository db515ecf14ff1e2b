namespace Lumen.Cli;

/// <summary>The sample photos shipped with Lumen (<c>samples/</c> beside the executable, copied from the
/// repository's <c>data/images</c>; licences in its ATTRIBUTION.md).</summary>
internal static class SampleImages
{
    /// <summary>The photo <c>lumen explain</c> uses when given no image: Chelsea the cat (scikit-image, CC0).</summary>
    public static string Default => Path.Combine(Folder, "chelsea.png");

    /// <summary>The folder holding the samples.</summary>
    public static string Folder
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "samples");
            if (Directory.Exists(beside)) return beside;
            throw new DirectoryNotFoundException($"The sample images folder {beside} is missing; the build copies data/images there.");
        }
    }
}
