using System.CommandLine;
using Lumen.Analysis.Recording;
using Lumen.Analysis.Similarity;
using Lumen.Imaging;
using Lumen.NN;
using Lumen.Reports.Analyze;
using Lumen.Tensors;
using Lumen.Zoo;

namespace Lumen.Cli;

/// <summary><c>lumen analyze SUBCOMMAND</c>: what a network's units and layers represent — top activating examples
/// (<c>top-examples</c>), layer similarity (<c>cka</c>), feature visualization (<c>visualize</c>), ablation
/// (<c>ablate</c>), weights (<c>filters</c>), probes (<c>probe</c>) and network dissection (<c>dissect</c>) — each
/// writing a self-contained HTML report.</summary>
internal static partial class AnalyzeCommand
{
    public static Command Create()
    {
        var command = new Command("analyze", "Look inside a network: top activating examples, layer similarity (CKA), feature visualization, ablation, weights, probes and network dissection.");
        command.Subcommands.Add(TopExamples());
        command.Subcommands.Add(Similarity());
        foreach (var sub in Extra()) command.Subcommands.Add(sub);
        return command;
    }

    /// <summary>The options most subcommands share.</summary>
    private sealed class Common
    {
        public Option<string?> Model { get; } = new("--model", "-m") { Description = "A zoo model name (see `lumen models`) or an .onnx file. Default: the zoo's default model." };
        public Option<string?> Preprocess { get; } = new("--preprocess") { Description = "For an .onnx model: 'imagenet', 'mnist' (grey 28×28, 0..255) or a zoo model name whose preprocessing to use. Default: mnist for IDX data, else imagenet." };
        public Option<string?> Data { get; } = new("--data", "-d") { Description = "The examples: a folder of images, or an IDX images file (e.g. MNIST's *-images-idx3-ubyte.gz). Default: the bundled sample photos." };
        public Option<FileInfo?> Labels { get; } = new("--labels") { Description = "With IDX data: the IDX labels file." };
        public Option<int?> Limit { get; } = new("--limit", "-n") { Description = "Use at most this many examples." };
        public Option<string?> Layers { get; } = new("--layers", "-l") { Description = "Comma-separated hook points (dotted module names; ONNX: the sanitized node output name). Default: up to 12 ReLU layers (by name, else by role), evenly spaced." };
        public Option<DirectoryInfo> Output { get; } = new("--out", "-o") { Description = "Output folder for report.html and summary.json.", DefaultValueFactory = _ => new DirectoryInfo("lumen-analyze") };
        public Option<int> Batch { get; } = new("--batch") { Description = "Examples per forward pass.", DefaultValueFactory = _ => 16 };
        public Option<int?> Threads { get; } = new("--threads") { Description = "Worker threads for the tensor kernels (default: all cores)." };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Model, Preprocess, Data, Labels, Limit, Layers, Output, Batch, Threads }) command.Options.Add(option);
        }
    }

    private static Command TopExamples()
    {
        var common = new Common();
        var topK = new Option<int>("--top", "-k") { Description = "Top examples per channel.", DefaultValueFactory = _ => 8 };
        var channels = new Option<string?>("--channels") { Description = "Comma-separated channels to show (default: the first 8 of each layer; statistics cover all)." };
        var score = new Option<ChannelScore>("--score") { Description = "How an example's map is scored: Max (strongest position) or Mean.", DefaultValueFactory = _ => ChannelScore.Max };
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "Save the recording's state to this file every --checkpoint-every batches and at the end, so an interrupted run can continue with --resume." };
        var every = new Option<int>("--checkpoint-every") { Description = "Batches between checkpoints.", DefaultValueFactory = _ => 10 };
        var resume = new Option<bool>("--resume") { Description = "Continue from --checkpoint when it exists (same model, data, layers, --top and --score)." };
        var command = new Command("top-examples", "Stream a dataset through a model and show each channel's top-activating examples with the activating region, plus per-channel statistics.") { topK, channels, score, checkpoint, every, resume };
        common.AddTo(command);
        command.SetAction((parse, cancellation) => Task.FromResult(Guarded(() =>
        {
            var (name, model, preprocess, examples) = Load(parse, common);
            var layers = Layers(parse.GetValue(common.Layers), model);
            var options = new TopExamplesOptions
            {
                HookPoints = layers,
                TopK = parse.GetValue(topK),
                Score = parse.GetValue(score),
                BatchSize = parse.GetValue(common.Batch),
                Channels = parse.GetValue(channels) is string list ? [.. Split(list).Select(int.Parse)] : null,
                Checkpoint = parse.GetValue(checkpoint)?.FullName,
                CheckpointEvery = parse.GetValue(every),
                Resume = parse.GetValue(resume),
            };
            if (options.Resume && options.Checkpoint is null) throw new ArgumentException("--resume needs --checkpoint FILE.");
            Console.WriteLine($"model    {name}");
            Console.WriteLine($"examples {examples.Description}");
            Console.WriteLine($"layers   {string.Join(", ", layers)}");
            var report = ProgressDisplay.Run(progress => new TopExamplesJob(name, model, options).Run(examples, progress, cancellation));
            if (report.ResumedFrom > 0) Console.WriteLine($"resumed  after {report.ResumedFrom} examples from {options.Checkpoint}");
            int recorded = report.Record.Examples - report.ResumedFrom;
            Console.WriteLine($"recorded {recorded} examples in {report.Seconds:F1} s ({recorded / Math.Max(report.Seconds, 1e-9):F1} examples/s)");
            return Written(AnalyzeReportWriter.Write(TopExamplesHtml.Render(report), TopExamplesHtml.Summary(report), parse.GetValue(common.Output)!.FullName));
        }, parse.GetValue(common.Threads))));
        return command;
    }

    private static Command Similarity()
    {
        var common = new Common();
        var other = new Option<string?>("--model2") { Description = "A second model (zoo name or .onnx) to compare against; default: the first model with itself." };
        var otherLayers = new Option<string?>("--layers2") { Description = "Hook points of the second model (default: the same names as --layers)." };
        var kernel = new Option<CkaKernel>("--kernel") { Description = "CKA kernel: Linear or Rbf.", DefaultValueFactory = _ => CkaKernel.Linear };
        var unbiased = new Option<bool>("--unbiased") { Description = "Use the unbiased HSIC estimator (Song et al. 2012)." };
        var flatten = new Option<bool>("--no-pool") { Description = "Compare every activation value instead of per-channel spatial means." };
        var command = new Command("cka", "Compare the representations of layers (of one model or two) on the same examples: a layer × layer CKA heatmap, plus SVCCA, PWCCA and RSA of the best matches.") { other, otherLayers, kernel, unbiased, flatten };
        common.AddTo(command);
        command.SetAction((parse, cancellation) => Task.FromResult(Guarded(() =>
        {
            var (name, model, _, examples) = Load(parse, common);
            var layers = Layers(parse.GetValue(common.Layers), model);
            (string, Module)? second = null;
            IReadOnlyList<string>? layers2 = parse.GetValue(otherLayers) is string l2 ? [.. Split(l2)] : null;
            if (parse.GetValue(other) is string otherName)
            {
                var (n2, m2, _) = LoadModel(otherName, parse.GetValue(common.Preprocess), examples.Preprocess);
                second = (n2, m2);
                layers2 ??= Layers(null, m2);
            }
            var options = new SimilarityOptions
            {
                HookPoints = layers,
                OtherHookPoints = layers2,
                Cka = new CkaOptions { Kernel = parse.GetValue(kernel), Unbiased = parse.GetValue(unbiased) },
                PoolSpatially = !parse.GetValue(flatten),
                BatchSize = parse.GetValue(common.Batch),
            };
            Console.WriteLine($"model    {name}{(second is { } s ? $" vs {s.Item1}" : "")}");
            Console.WriteLine($"examples {examples.Description}");
            var report = ProgressDisplay.Run(progress => new SimilarityJob((name, model), second, options).Run(examples, progress, cancellation));
            foreach (var p in report.Pairs) Console.WriteLine($"  {p.LayerA} ~ {p.LayerB}: CKA {p.Cka:F3}  SVCCA {p.Svcca:F3}  PWCCA {p.Pwcca:F3}  RSA {p.Rsa:F3}");
            var folder = parse.GetValue(common.Output)!.FullName;
            return Written(AnalyzeReportWriter.Write(SimilarityHtml.Render(report), SimilarityHtml.Summary(report), folder, [("cka.png", SimilarityHtml.Heatmap(report))]));
        }, parse.GetValue(common.Threads))));
        return command;
    }

    /// <summary>The model, its preprocessing and the examples named by the common options.</summary>
    private static (string Name, Module Model, Preprocess Preprocess, ExampleSet Examples) Load(ParseResult parse, Common common)
    {
        string? data = parse.GetValue(common.Data);
        bool idx = data is not null && File.Exists(data);
        var (name, model, preprocess) = LoadModel(parse.GetValue(common.Model), parse.GetValue(common.Preprocess), idx ? Lumen.Imaging.Preprocess.Mnist : Lumen.Imaging.Preprocess.ImageNet(224));
        int? limit = parse.GetValue(common.Limit);
        var examples = data is null ? ExampleSet.FromImageFolder(SampleImages.Folder, preprocess, limit)
            : idx ? ExampleSet.FromIdx(data, preprocess, limit, parse.GetValue(common.Labels)?.FullName)
            : Directory.Exists(data) ? ExampleSet.FromImageFolder(data, preprocess, limit)
            : throw new FileNotFoundException($"--data: {data} is neither a folder nor a file.");
        return (name, model, preprocess, examples);
    }

    /// <summary>A zoo model by name, or an .onnx file with the named (or fallback) preprocessing.</summary>
    private static (string Name, Module Model, Preprocess Preprocess) LoadModel(string? model, string? preprocess, Preprocess fallback)
    {
        var zoo = ModelZoo.Default;
        if (model is null || !model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            var zooModel = model is null ? zoo.Load(zoo.DefaultModel) : zoo.Load(model);
            zooModel.Module.Eval();
            return (zooModel.Descriptor.Name, zooModel.Module, zooModel.Preprocess);
        }
        if (!File.Exists(model)) throw new FileNotFoundException($"--model: {model} does not exist.");
        var module = Lumen.Onnx.OnnxModel.Load(model);
        module.Eval();
        var chosen = preprocess?.ToLowerInvariant() switch
        {
            null => fallback,
            "imagenet" => Lumen.Imaging.Preprocess.ImageNet(224),
            "mnist" => Lumen.Imaging.Preprocess.Mnist,
            _ => zoo.Find(preprocess).Preprocess.ToPreprocess(),
        };
        return (Path.GetFileNameWithoutExtension(model), module, chosen);
    }

    /// <summary>The hook points named in <paramref name="list"/>, or up to 12 evenly spaced ReLU layers: modules named
    /// like "relu" or, where none is (SqueezeNet's and Tiny Darknet's ONNX nodes are named after their outputs), the
    /// rectifiers by role (ReLU, LeakyReLU, Clip, PReLU), else any activation.</summary>
    private static IReadOnlyList<string> Layers(string? list, Module model)
    {
        if (list is not null)
        {
            var named = Split(list);
            foreach (var n in named) model.Hooks.Resolve(n);
            return named.Length > 0 ? named : throw new ArgumentException("--layers: give at least one hook point.");
        }
        var modules = model.NamedModules().Where(m => m.Name.Length > 0).ToList();
        var relus = modules.Where(m => m.Name.Contains("relu", StringComparison.OrdinalIgnoreCase)).Select(m => m.Name).ToList();
        if (relus.Count == 0) relus = [.. modules.Where(m => m.Module is Lumen.NN.Layers.IRectifier).Select(m => m.Name)];
        if (relus.Count == 0) relus = [.. modules.Where(m => m.Module is Lumen.NN.Layers.IActivation).Select(m => m.Name)];
        if (relus.Count == 0) throw new ArgumentException($"--layers: the model has no ReLU or other activation module; name the hook points, e.g. {string.Join(", ", modules.Select(m => m.Name).Take(8))}.");
        int count = Math.Min(12, relus.Count);
        return [.. Enumerable.Range(0, count).Select(i => relus[count == 1 ? 0 : (int)Math.Round(i * (relus.Count - 1) / (double)(count - 1))]).Distinct()];
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Written(string html)
    {
        Console.WriteLine($"report   {html}");
        return 0;
    }

    /// <summary>Runs a subcommand with the thread setting, turning expected failures into a message and exit code 1.</summary>
    private static int Guarded(Func<int> run, int? threads)
    {
        try
        {
            if (threads is int t) Parallelism.MaxDegree = Math.Max(1, t);
            return run();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException or FormatException or Lumen.Onnx.OnnxException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
