using System.CommandLine;
using Lumen.Analysis.Dissection;
using Lumen.Reports.Analyze;

namespace Lumen.Cli;

internal static partial class AnalyzeCommand
{
    private static Command Dissect()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A zoo model name (see `lumen models`) or an .onnx file. Default: the zoo's default model." };
        var preprocess = new Option<string?>("--preprocess") { Description = "For an .onnx model: 'imagenet' or a zoo model name whose preprocessing to use. Default: imagenet." };
        var layers = new Option<string?>("--layers", "-l") { Description = "Comma-separated hook points to dissect. Default: the model's first activation (ReLU, …)." };
        var concepts = new Option<string?>("--concepts") { Description = "A concept folder: <concept>/*.png with optional *_mask.png (non-black = concept), or <category>/<concept>/*.png. Default: generated colours, textures and shapes." };
        var images = new Option<int>("--images", "-n") { Description = "Generated images (without --concepts).", DefaultValueFactory = _ => 300 };
        var size = new Option<int?>("--size") { Description = "Image and mask size in pixels. Default: the model's input size (224)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated images and of Net2Vec's pixel sampling.", DefaultValueFactory = _ => 0 };
        var quantile = new Option<double>("--quantile") { Description = "A unit fires on the top fraction q of its activations.", DefaultValueFactory = _ => 0.005 };
        var iou = new Option<double>("--iou-threshold") { Description = "A unit is interpretable when its best concept's IoU exceeds this.", DefaultValueFactory = _ => 0.04 };
        var noNet2Vec = new Option<bool>("--no-net2vec") { Description = "Skip Net2Vec (concepts as learned combinations of units)." };
        var shown = new Option<int>("--show") { Description = "Best interpretable units shown with example images, per layer.", DefaultValueFactory = _ => 12 };
        var batch = new Option<int>("--batch") { Description = "Images per forward pass.", DefaultValueFactory = _ => 16 };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder for report.html and summary.json.", DefaultValueFactory = _ => new DirectoryInfo("lumen-dissect") };
        var threads = new Option<int?>("--threads") { Description = "Worker threads for the tensor kernels (default: all cores)." };
        var command = new Command("dissect", "Network dissection (Bau et al. 2017): label each unit with the concept its top activations overlap best (IoU), on generated or your own concept images; plus Net2Vec combinations.")
            { model, preprocess, layers, concepts, images, size, seed, quantile, iou, noNet2Vec, shown, batch, output, threads };
        command.SetAction((parse, cancellation) => Task.FromResult(Guarded(() =>
        {
            var (name, module, chosen) = LoadModel(parse.GetValue(model), parse.GetValue(preprocess), Lumen.Imaging.Preprocess.ImageNet(224));
            var hooks = parse.GetValue(layers) is string list ? Layers(list, module) : [FirstActivation(module)];
            int pixels = parse.GetValue(size) ?? chosen.CropSize ?? 224;
            var set = parse.GetValue(concepts) is string folder ? ConceptFolder.Load(folder, pixels) : GeneratedConcepts.Create(parse.GetValue(images), pixels, parse.GetValue(seed));
            var options = new DissectionOptions
            {
                HookPoints = hooks,
                Quantile = parse.GetValue(quantile),
                IouThreshold = parse.GetValue(iou),
                BatchSize = parse.GetValue(batch),
                Net2Vec = parse.GetValue(noNet2Vec) ? null : new Net2VecOptions { Seed = parse.GetValue(seed) },
            };
            Console.WriteLine($"model    {name}");
            Console.WriteLine($"concepts {set.Description}");
            Console.WriteLine($"layers   {string.Join(", ", hooks)}");
            var report = ProgressDisplay.Run(progress => new DissectionJob(name, module, chosen, options, parse.GetValue(shown)).Run(set, progress, cancellation));
            foreach (var layer in report.Result.Layers)
            {
                var counts = report.Result.InterpretableByCategory(layer).Select(c => $"{c.Category} {c.Units}");
                Console.WriteLine($"  {layer.HookPoint}: {layer.Interpretable} of {layer.Units.Count} units interpretable ({string.Join(", ", counts)})");
                foreach (var c in layer.Combinations.OrderByDescending(c => c.Iou).Take(5))
                    Console.WriteLine($"    net2vec {report.Result.Concepts[c.Concept].Name,-12} IoU {c.Iou:F3} vs best unit {c.BestUnit} {c.BestUnitIou:F3}");
            }
            Console.WriteLine($"took     {report.Seconds:F1} s");
            return Written(AnalyzeReportWriter.Write(DissectionHtml.Render(report), DissectionHtml.Summary(report), parse.GetValue(output)!.FullName));
        }, parse.GetValue(threads))));
        return command;
    }

    /// <summary>The first hook point whose module is an activation (ReLU, …): an early layer with spatial maps.</summary>
    private static string FirstActivation(Lumen.NN.Module model) =>
        model.NamedModules().FirstOrDefault(m => m.Name.Length > 0 && m.Module is Lumen.NN.Layers.IActivation).Name
        ?? throw new ArgumentException("--layers: the model has no activation module; name the hook points to dissect.");
}
