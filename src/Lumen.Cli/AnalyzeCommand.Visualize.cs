using System.CommandLine;
using System.Diagnostics;
using Lumen.Analysis.Visualization;
using Lumen.Imaging;
using Lumen.Reports.Analyze;
using Lumen.Reports.Explain;

namespace Lumen.Cli;

internal static partial class AnalyzeCommand
{
    private static Command Visualize()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A zoo model name or an .onnx file (RGB input). Default: the zoo's default model." };
        var preprocess = new Option<string?>("--preprocess") { Description = "For an .onnx model: 'imagenet' or a zoo model name whose preprocessing to use.", DefaultValueFactory = _ => null };
        var layer = new Option<string?>("--layer", "-l") { Description = "The hook point whose channels to visualize." };
        var channels = new Option<string?>("--channels") { Description = "Comma-separated channels (default: the first --count)." };
        var count = new Option<int>("--count") { Description = "How many channels when --channels is not given.", DefaultValueFactory = _ => 16 };
        var classes = new Option<string?>("--classes") { Description = "Visualize these output classes (comma-separated indices) instead of channels." };
        var steps = new Option<int>("--steps") { Description = "Optimisation steps.", DefaultValueFactory = _ => 128 };
        var rate = new Option<float>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 0.05f };
        var parameterization = new Option<ImageParameterization>("--param") { Description = "Image parameterisation: Fourier (decorrelated, default) or Pixel.", DefaultValueFactory = _ => ImageParameterization.Fourier };
        var plain = new Option<bool>("--no-transforms") { Description = "Do not jitter, scale or rotate the image at each step." };
        var diversity = new Option<float>("--diversity") { Description = "Weight of a diversity term at --layer (0: none).", DefaultValueFactory = _ => 0f };
        var seed = new Option<int>("--seed") { Description = "Seed of the start images and transformations.", DefaultValueFactory = _ => 0 };
        var columns = new Option<int>("--columns") { Description = "Images per row of visualizations.png.", DefaultValueFactory = _ => 4 };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder for report.html, summary.json and visualizations.png.", DefaultValueFactory = _ => new DirectoryInfo("lumen-visualize") };
        var threads = new Option<int?>("--threads") { Description = "Worker threads for the tensor kernels (default: all cores)." };
        var command = new Command("visualize", "Feature visualization: optimise images that maximally excite channels of a layer (or output classes), with a decorrelated Fourier parameterisation and transformation robustness.")
        {
            model, preprocess, layer, channels, count, classes, steps, rate, parameterization, plain, diversity, seed, columns, output, threads,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Guarded(() =>
        {
            var (name, module, pre) = LoadModel(parse.GetValue(model), parse.GetValue(preprocess), Preprocess.ImageNet(224));
            if (pre.Channels != 3) throw new ArgumentException($"visualize: {name} takes {pre.Channels}-channel input; feature visualization here optimises RGB images.");
            int size = pre.CropSize ?? pre.ResizeTo?.Height ?? 224;
            var (objective, captions) = VisualizationObjective(parse.GetValue(layer), parse.GetValue(channels), parse.GetValue(count), parse.GetValue(classes), parse.GetValue(diversity));
            var options = new FeatureVisualizationOptions
            {
                Steps = parse.GetValue(steps),
                LearningRate = parse.GetValue(rate),
                Parameterization = parse.GetValue(parameterization),
                Transforms = parse.GetValue(plain) ? TransformationRobustness.None : new TransformationRobustness(),
                Seed = parse.GetValue(seed),
                Height = size,
                Width = pre.CropSize ?? pre.ResizeTo?.Width ?? 224,
                InputScale = [.. Enumerable.Range(0, 3).Select(c => 255f * pre.Scale / pre.Std[c])],
                InputShift = [.. Enumerable.Range(0, 3).Select(c => -pre.Mean[c] / pre.Std[c])],
                Bgr = pre.Order == ChannelOrder.Bgr,
            };
            Console.WriteLine($"model     {name}");
            Console.WriteLine($"objective {objective}");
            var watch = Stopwatch.StartNew();
            var result = ProgressDisplay.Run(progress => new FeatureVisualization(module, options).Visualize(objective, captions.Count,
                new Progress(step => progress.Report(new ExplainStep($"step {step}/{options.Steps}", step, options.Steps))), cancellation));
            var report = new VisualizeReport(name, objective.ToString(), captions, result, options, watch.Elapsed.TotalSeconds, DateTime.UtcNow);
            Console.WriteLine($"objective {result.StartValue:G4} → {result.FinalValue:G4} in {report.Seconds:F1} s");
            return Written(AnalyzeReportWriter.Write(VisualizeHtml.Render(report), VisualizeHtml.Summary(report), parse.GetValue(output)!.FullName,
                [("visualizations.png", report.Grid(parse.GetValue(columns)))]));
        }, parse.GetValue(threads))));
        return command;
    }

    /// <summary>One objective term per batch image: a channel of <paramref name="layer"/> or an output class.</summary>
    private static (Objective Objective, List<string> Captions) VisualizationObjective(string? layer, string? channelList, int count, string? classList, float diversity)
    {
        Objective? objective = null;
        var captions = new List<string>();
        if (classList is not null)
        {
            foreach (var (k, b) in Split(classList).Select(int.Parse).Select((k, b) => (k, b)))
            {
                objective = objective is null ? Objective.Class(k, b) : objective + Objective.Class(k, b);
                captions.Add($"class {k}");
            }
        }
        else
        {
            if (layer is null) throw new ArgumentException("visualize: give --layer (a hook point) or --classes.");
            var chosen = channelList is null ? Enumerable.Range(0, count) : Split(channelList).Select(int.Parse);
            foreach (var (c, b) in chosen.Select((c, b) => (c, b)))
            {
                objective = objective is null ? Objective.Channel(layer, c, b) : objective + Objective.Channel(layer, c, b);
                captions.Add($"channel {c}");
            }
        }
        if (objective is null) throw new ArgumentException("visualize: nothing to visualize (no channel or class given).");
        if (diversity != 0)
        {
            if (layer is null) throw new ArgumentException("visualize: --diversity needs --layer.");
            objective += diversity * Objective.Diversity(layer);
        }
        return (objective, captions);
    }

    /// <summary>Reports synchronously on the calling thread.</summary>
    private sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
