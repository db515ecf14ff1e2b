using Lumen.Onnx;

namespace Lumen.Zoo;

/// <summary>
/// The models shipped in the repository's <c>models/</c> folder (copied next to the <c>lumen</c> executable). Nothing
/// is downloaded: a model is a descriptor, an ONNX file and a label file on disk.
/// </summary>
/// <example><code>var model = ModelZoo.Default.Load("mobilenetv2"); var input = ImageTensor.Load("cat.png", model.Preprocess);</code></example>
public sealed class ModelZoo
{
    /// <summary>Opens the zoo in <paramref name="folder"/> (a folder of <c>*.json</c> descriptors).</summary>
    public ModelZoo(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Model zoo folder {folder} does not exist.");
        Folder = folder;
        Models = [.. Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).Select(ModelDescriptor.Load)];
    }

    /// <summary>The zoo folder.</summary>
    public string Folder { get; }

    /// <summary>Every descriptor, by name.</summary>
    public IReadOnlyList<ModelDescriptor> Models { get; }

    /// <summary>The zoo shipped with Lumen: <c>models/</c> beside the executable, else in the repository checkout.</summary>
    public static ModelZoo Default => new(Locate());

    /// <summary>The descriptor marked default (else the first).</summary>
    public ModelDescriptor DefaultModel => Models.FirstOrDefault(m => m.Default) ?? Models.FirstOrDefault()
        ?? throw new InvalidOperationException($"Model zoo {Folder} holds no model descriptors.");

    /// <summary>Finds a descriptor by name (case-insensitive), or throws listing the known names.</summary>
    public ModelDescriptor Find(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}'. Known: {string.Join(", ", Models.Select(m => m.Name))}; or give a path to an .onnx file.");

    /// <summary>Loads a zoo model by name.</summary>
    public ZooModel Load(string name) => Load(Find(name));

    /// <summary>Loads the model a descriptor describes.</summary>
    public ZooModel Load(ModelDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var module = OnnxModel.Load(Path.Combine(Folder, descriptor.File));
        var labels = ReadLabels(Path.Combine(Folder, descriptor.Labels));
        return new ZooModel(descriptor, module, labels, descriptor.Preprocess.ToPreprocess());
    }

    /// <summary>Reads a label file: one class a line; a leading WordNet id ("n01440764 tench, Tinca tinca") is dropped.</summary>
    public static IReadOnlyList<string> ReadLabels(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Length > 10 && l[0] == 'n' && l[9] == ' ' && l[1..9].All(char.IsAsciiDigit) ? l[10..] : l)];

    private static string Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "models");
        if (Directory.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lumen.sln")) && Directory.Exists(Path.Combine(dir.FullName, "models")))
                return Path.Combine(dir.FullName, "models");
        throw new DirectoryNotFoundException($"The model zoo (models/) was found neither beside {AppContext.BaseDirectory} nor in a Lumen checkout above it.");
    }
}
