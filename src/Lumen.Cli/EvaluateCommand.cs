using System.CommandLine;
using System.Globalization;
using Lumen.Imaging;
using Lumen.Metrics;
using Lumen.Reports.Evaluate;
using Lumen.Reports.Explain;
using Lumen.Tensors;
using Lumen.Zoo;

namespace Lumen.Cli;

/// <summary><c>lumen evaluate [IMAGE…] [--model NAME|FILE.onnx] [--methods LIST|all] [--metrics LIST|all]
/// [--masks DIR] [--set METHOD.OPTION=VALUE]… [--out DIR]</c>: explains every image with every method and scores each method with each metric;
/// writes a self-contained HTML report (methods × metrics table with directions and ranks, curves as SVG) and
/// results.json. With no image it evaluates a bundled sample on the default zoo model.</summary>
internal static class EvaluateCommand
{
    /// <summary>The metrics run when none are named: fast enough on two cores, and localisation when masks are given.</summary>
    private static readonly string[] DefaultMetrics = ["deletion", "insertion", "sparseness", "complexity", "random-logit"];

    private static readonly string[] LocalisationDefaults = ["pointing-game", "top-k-intersection", "relevance-mass-accuracy", "relevance-rank-accuracy", "attribution-localisation", "auc"];

    public static Command Create()
    {
        var images = new Argument<FileInfo[]>("images") { Description = "Image files (PNG, JPEG, BMP, PPM/PGM). None: a bundled sample photo.", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string?>("--model", "-m") { Description = "A zoo model name (see `lumen models`) or an .onnx file. Default: the zoo's default model." };
        var methods = new Option<string>("--methods") { Description = "Comma-separated attribution methods or aliases, or 'all' (see `lumen methods`).", DefaultValueFactory = _ => "saliency,input-x-gradient,integrated-gradients" };
        var metrics = new Option<string?>("--metrics") { Description = $"Comma-separated metric names, or 'all' ({string.Join(", ", KnownMetrics.All.Select(m => m.Name))}). Default: {string.Join(",", DefaultMetrics)}, plus localisation metrics when --masks is given." };
        var masks = new Option<DirectoryInfo?>("--masks") { Description = "Folder of object masks at the images' size: its annotations.json entry {image, mask, foreground_values} for IMAGE, else 'name_mask.*' (or a file named like the image plus '_mask', or 'name.*') with grey > 127 = object." };
        var target = new Option<string>("--target", "-t") { Description = "The class to explain: top1 (each image's prediction), a class index, or a label.", DefaultValueFactory = _ => "top1" };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder for report.html and results.json.", DefaultValueFactory = _ => new DirectoryInfo("lumen-evaluate") };
        var threads = new Option<int?>("--threads") { Description = "Worker threads for the tensor kernels (default: all cores)." };
        var settings = ExplainCommand.SetOption();
        var meta = new Option<bool>("--meta") { Description = "Meta-evaluate each metric: noise resilience and reactivity to randomised maps, and the MetaQuantus model and input perturbation tests (meta-consistency MC over all methods). About 15× the metric time." };
        var command = new Command("evaluate", "Score attribution methods with faithfulness, robustness, localisation, complexity, randomisation and axiomatic metrics, in a self-contained HTML report.")
        {
            images, model, methods, metrics, masks, target, output, threads, meta, settings,
        };
        command.Subcommands.Add(RetrainCommand.Create());
        command.SetAction((parse, cancellation) => Task.FromResult(Run(parse.GetValue(images) ?? [], parse.GetValue(model), parse.GetValue(methods)!,
            parse.GetValue(metrics), parse.GetValue(masks), parse.GetValue(target)!, parse.GetValue(output)!, parse.GetValue(threads), parse.GetValue(meta), parse.GetValue(settings) ?? [], cancellation)));
        return command;
    }

    private static int Run(FileInfo[] files, string? modelName, string methodList, string? metricList, DirectoryInfo? maskFolder, string target,
        DirectoryInfo output, int? threads, bool meta, string[] settingList, CancellationToken cancellation)
    {
        try
        {
            if (threads is int t) Parallelism.MaxDegree = Math.Max(1, t);
            var methods = ExplainCommand.ParseMethods(methodList);
            var settings = ExplainCommand.ParseSettings(settingList, methods);
            var metrics = ParseMetrics(metricList, maskFolder is not null);
            var classifier = LoadClassifier(modelName);
            var images = LoadImages(files, maskFolder);
            int? targetClass = string.Equals(target, "top1", StringComparison.OrdinalIgnoreCase) ? null : ClassLookup.Find(classifier.Labels, target, classifier.Name);
            Console.WriteLine($"model    {classifier.Name}");
            Console.WriteLine($"methods  {string.Join(", ", methods)}");
            Console.WriteLine($"metrics  {string.Join(", ", metrics)}");
            if (!settings.IsEmpty) Console.WriteLine($"settings {settings}");
            var job = new EvaluateJob(classifier, new EvaluateOptions { Methods = methods, Metrics = metrics, TargetClass = targetClass, MetaEvaluate = meta, Settings = settings });
            var report = ProgressDisplay.Run(progress => job.Run(images, progress, cancellation));
            Print(report);
            var html = EvaluateReportWriter.Write(report, output.FullName);
            Console.WriteLine();
            Console.WriteLine($"report   {html}");
            return report.Cells.All(c => c.Result is not null) ? 0 : 2;
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

    /// <summary>One perturbation test as "NR(IAC IEC) AR(IAC IEC) MC".</summary>
    private static string Test(Lumen.Metrics.Meta.ConsistencyScores? s) => s is null ? $"{"—",-27}" :
        string.Create(CultureInfo.InvariantCulture, $"{s.IntraResilience,4:0.00} {s.InterResilience,4:0.00}  {s.IntraReactivity,4:0.00} {s.InterReactivity,4:0.00}  {s.MetaConsistency,5:0.000}");

    /// <summary>Metric names from "a,b,c" or "all", validated against the catalog.</summary>
    internal static IReadOnlyList<string> ParseMetrics(string? list, bool withMasks)
    {
        if (list is null) return [.. DefaultMetrics, .. withMasks ? LocalisationDefaults : []];
        if (string.Equals(list.Trim(), "all", StringComparison.OrdinalIgnoreCase)) return [.. KnownMetrics.All.Select(m => m.Name)];
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException("--metrics: give at least one metric name, or 'all'.");
        return [.. names.Select(n => KnownMetrics.Find(n).Name).Distinct()];
    }

    private static Classifier LoadClassifier(string? model)
    {
        var zoo = ModelZoo.Default;
        if (model is null || !model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            var zooModel = model is null ? zoo.Load(zoo.DefaultModel) : zoo.Load(model);
            return new Classifier(zooModel.Descriptor.Name, zooModel.Module, zooModel.Labels, zooModel.Preprocess, zooModel.Descriptor.OutputIsProbability);
        }
        if (!File.Exists(model)) throw new FileNotFoundException($"--model: {model} does not exist.");
        return new Classifier(Path.GetFileNameWithoutExtension(model), Lumen.Onnx.OnnxModel.Load(model), [], Preprocess.ImageNet(224), OutputIsProbability: false);
    }

    private static IReadOnlyList<EvaluateImage> LoadImages(FileInfo[] files, DirectoryInfo? maskFolder) =>
        EvaluateImageLoader.Load(files.Length == 0 ? [SampleImages.Default] : [.. files.Select(f => f.FullName)], maskFolder?.FullName);

    private static void Print(EvaluateReport report)
    {
        Console.WriteLine();
        foreach (var m in report.Meta)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"meta     {m.Metric,-36} noise resilience {m.NoiseResilience:0.000}  reactivity {m.Reactivity:0.000}  {(m.Trusted ? "trust" : "do not rely on it")}"));
        if (report.MetaConsistency.Count > 0)
        {
            Console.WriteLine("meta-mc  MetaQuantus tests, each as NR (IAC IEC), AR (IAC IEC), MC; 1 = ideal, 0.5 = blind to the perturbations");
            foreach (var m in report.MetaConsistency)
                Console.WriteLine(m.Error is { } error ? $"meta-mc  {m.Metric,-34} — {error}"
                    : string.Create(CultureInfo.InvariantCulture, $"meta-mc  {m.Metric,-34} model {Test(m.Model)}   input {Test(m.Input)}   MC {m.MetaConsistency:0.000}"));
        }
        foreach (var metric in report.Metrics)
        {
            var ranks = report.Ranks(metric);
            Console.WriteLine($"{metric.Info.DisplayName} ({(metric.Direction == ScoreDirection.HigherIsBetter ? "higher" : "lower")} is better)");
            foreach (var (name, display) in report.Methods)
            {
                var cell = report.Cell(name, metric.Info.Name);
                Console.WriteLine(cell.Result is { } r
                    ? $"  {display,-24} {r.Value.ToString("0.####", CultureInfo.InvariantCulture),12}  {(ranks.TryGetValue(name, out int k) ? $"#{k}" : "")}  {cell.Seconds:F1} s"
                    : $"  {display,-24} — {cell.Error}");
            }
        }
    }
}
