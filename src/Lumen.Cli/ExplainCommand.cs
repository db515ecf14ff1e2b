using System.CommandLine;
using Lumen.Attribution;
using Lumen.Imaging;
using Lumen.Reports.Explain;
using Lumen.Tensors;
using Lumen.Zoo;

namespace Lumen.Cli;

/// <summary><c>lumen explain [IMAGE…] [--model NAME|FILE.onnx] [--target top1|INDEX|LABEL] [--methods LIST|all]
/// [--set METHOD.OPTION=VALUE]… [--out DIR]</c>: predicts each image, explains the target class with each method and writes a self-contained
/// HTML report, the heatmaps (.png), the raw maps (.npy) and summary.json. With no image it explains a bundled
/// sample on the default zoo model.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var images = new Argument<FileInfo[]>("images") { Description = "Image files (PNG, JPEG, BMP, PPM/PGM). None: a bundled sample photo.", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string?>("--model", "-m") { Description = "A zoo model name (see `lumen models`) or an .onnx file. Default: the zoo's default model." };
        var target = new Option<string>("--target", "-t") { Description = "The class to explain: top1 (each image's prediction), a class index, or a label (or a unique part of one).", DefaultValueFactory = _ => "top1" };
        var methods = new Option<string>("--methods") { Description = $"Comma-separated method names or aliases, or 'all' (see `lumen methods`). Default: {string.Join(",", DefaultMethods)}.", DefaultValueFactory = _ => string.Join(",", DefaultMethods) };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder for report.html, summary.json and the per-method .png/.npy files.", DefaultValueFactory = _ => new DirectoryInfo("lumen-report") };
        var labels = new Option<FileInfo?>("--labels") { Description = "For an .onnx model: a label file, one class per line (\"wnid name\" lines allowed)." };
        var preprocess = new Option<string>("--preprocess") { Description = "For an .onnx model: 'imagenet' (RGB, shorter side 256, crop 224, torchvision mean/std) or a zoo model name whose preprocessing to use.", DefaultValueFactory = _ => "imagenet" };
        var threads = new Option<int?>("--threads") { Description = "Worker threads for the tensor kernels (default: all cores)." };
        var settings = SetOption();
        var command = new Command("explain", "Explain an image classifier's prediction with attribution heatmaps, in a self-contained HTML report.")
        {
            images, model, target, methods, output, labels, preprocess, threads, settings,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(new Request(
            parse.GetValue(images) ?? [], parse.GetValue(model), parse.GetValue(target)!, parse.GetValue(methods)!,
            parse.GetValue(output)!, parse.GetValue(labels), parse.GetValue(preprocess)!, parse.GetValue(threads), parse.GetValue(settings) ?? []), cancellation)));
        return command;
    }

    /// <summary>The methods run when none are named: fast enough for a first try on two cores.</summary>
    private static readonly string[] DefaultMethods = ["saliency", "input-x-gradient", "integrated-gradients"];

    private sealed record Request(FileInfo[] Images, string? Model, string Target, string Methods, DirectoryInfo Output, FileInfo? Labels, string Preprocess, int? Threads, string[] Settings);

    private static int Run(Request request, CancellationToken cancellation)
    {
        try
        {
            if (request.Threads is int t) Parallelism.MaxDegree = Math.Max(1, t);
            var methods = ParseMethods(request.Methods);
            var settings = ParseSettings(request.Settings, methods);
            var classifier = LoadClassifier(request);
            var images = LoadImages(request.Images);
            int? targetClass = ResolveTarget(request.Target, classifier);
            Console.WriteLine($"model    {classifier.Name}");
            Console.WriteLine($"methods  {string.Join(", ", methods)}");
            if (!settings.IsEmpty) Console.WriteLine($"settings {settings}");
            var job = new ExplainJob(classifier, new ExplainOptions { Methods = methods, TargetClass = targetClass, Settings = settings });
            var report = ProgressDisplay.Run(progress => job.Run(images, progress, cancellation));
            foreach (var image in report.Images)
            {
                Console.WriteLine();
                Console.WriteLine($"{image.Name}: top-{image.Predictions.Count}");
                foreach (var p in image.Predictions) Console.WriteLine($"  {p.Probability,7:P1}  {p.Index,4}  {p.Label}");
                foreach (var m in image.Methods)
                    Console.WriteLine(m.Succeeded
                        ? $"  {m.DisplayName,-24} {m.Seconds,7:F2} s{(m.Delta is float d ? $"   delta {d:G4}" : "")}"
                        : $"  {m.DisplayName,-24} FAILED: {m.Error}");
            }
            var html = ExplainReportWriter.Write(report, request.Output.FullName);
            Console.WriteLine();
            Console.WriteLine($"report   {html}");
            return report.Images.All(i => i.Methods.All(m => m.Succeeded)) ? 0 : 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or Lumen.Onnx.OnnxException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Method names from "a,b,c" or "all", validated against the catalog.</summary>
    internal static IReadOnlyList<string> ParseMethods(string list)
    {
        if (string.Equals(list.Trim(), "all", StringComparison.OrdinalIgnoreCase)) return [.. KnownAttributionMethods.All.Select(m => m.Name)];
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException("--methods: give at least one method name, or 'all'.");
        return [.. names.Select(n => KnownAttributionMethods.Find(n).Name).Distinct()];
    }

    /// <summary>The repeatable <c>--set METHOD.OPTION=VALUE</c> option shared by the commands that run catalog methods.</summary>
    internal static Option<string[]> SetOption() => new("--set")
    {
        Description = "A method's option, METHOD.OPTION=VALUE (repeatable), e.g. --set ig.steps=100 --set occlusion.window=8. See `lumen methods --options METHOD`.",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The <c>--set</c> values, checked against the catalog and against the methods that run.</summary>
    internal static MethodSettings ParseSettings(IEnumerable<string> assignments, IEnumerable<string> methods)
    {
        MethodSettings settings;
        try { settings = MethodSettings.Parse(assignments); }
        catch (ArgumentException e) { throw new ArgumentException($"--set: {e.Message}", e); }
        try { settings.RequireAmong(methods); }
        catch (ArgumentException e) { throw new ArgumentException($"--set: {e.Message}", e); }
        return settings;
    }

    private static Classifier LoadClassifier(Request request)
    {
        var zoo = ModelZoo.Default;
        if (request.Model is null || !request.Model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            var zooModel = request.Model is null ? zoo.Load(zoo.DefaultModel) : zoo.Load(request.Model);
            return new Classifier(zooModel.Descriptor.Name, zooModel.Module, zooModel.Labels, zooModel.Preprocess, zooModel.Descriptor.OutputIsProbability);
        }
        if (!File.Exists(request.Model)) throw new FileNotFoundException($"--model: {request.Model} does not exist.");
        var module = Lumen.Onnx.OnnxModel.Load(request.Model);
        var preprocess = string.Equals(request.Preprocess, "imagenet", StringComparison.OrdinalIgnoreCase)
            ? Preprocess.ImageNet(224)
            : zoo.Find(request.Preprocess).Preprocess.ToPreprocess();
        var labels = request.Labels is null ? [] : ModelZoo.ReadLabels(request.Labels.FullName);
        return new Classifier(Path.GetFileNameWithoutExtension(request.Model), module, labels, preprocess, OutputIsProbability: false);
    }

    private static List<(string Name, Image Image)> LoadImages(FileInfo[] files)
    {
        if (files.Length == 0) files = [new FileInfo(SampleImages.Default)];
        var images = new List<(string, Image)>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            if (!file.Exists) throw new FileNotFoundException($"Image {file.FullName} does not exist.");
            var name = ExplainReportWriter.SafeName(Path.GetFileNameWithoutExtension(file.Name));
            for (int k = 2; !used.Add(name); k++) name = $"{ExplainReportWriter.SafeName(Path.GetFileNameWithoutExtension(file.Name))}-{k}";
            images.Add((name, Image.Load(file.FullName)));
        }
        return images;
    }

    private static int? ResolveTarget(string target, Classifier classifier) =>
        string.Equals(target, "top1", StringComparison.OrdinalIgnoreCase) ? null : ClassLookup.Find(classifier.Labels, target, classifier.Name);
}
