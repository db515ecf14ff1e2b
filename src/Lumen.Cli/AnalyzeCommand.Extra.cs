using System.CommandLine;
using Lumen.Analysis.Concepts;
using Lumen.Analysis.Patching;
using Lumen.Analysis.Probing;
using Lumen.Analysis.Projection;
using Lumen.Imaging;
using Lumen.Reports.Analyze;
using Lumen.Reports.Html;
using Lumen.Tensors;
using Lumen.Zoo;

namespace Lumen.Cli;

internal static partial class AnalyzeCommand
{
    /// <summary>The subcommands defined in the other parts of this class.</summary>
    private static IEnumerable<Command> Extra() => [Visualize(), Ablate(), Filters(), ProbeLayers(), ConceptTest(), Dissect()];

    private static Command Ablate()
    {
        var common = new Common();
        var mode = new Option<AblationMode>("--mode") { Description = "Replace each channel with Zero, its reference Mean, or a Resample from another example.", DefaultValueFactory = _ => AblationMode.Mean };
        var channels = new Option<string?>("--channels") { Description = "Comma-separated channels to ablate one at a time (default: every channel of the layer)." };
        var seed = new Option<int>("--seed") { Description = "Seed of resample ablation and of t-SNE.", DefaultValueFactory = _ => 0 };
        var projection = new Option<ProjectionMethod>("--projection") { Description = "Scatter of the layer's activations: Pca or Tsne.", DefaultValueFactory = _ => ProjectionMethod.Pca };
        var command = new Command("ablate", "Ablate each channel of a layer (zero, mean or resample) and measure the effect on the prediction; PCA or t-SNE scatter of the layer's activations.") { mode, channels, seed, projection };
        common.AddTo(command);
        command.SetAction((parse, cancellation) => Task.FromResult(Guarded(() =>
        {
            var (name, model, _, examples) = Load(parse, common);
            var layer = parse.GetValue(common.Layers) is not string names ? MiddleLayer(model)
                : Layers(names, model) is { Count: 1 } one ? one[0] : throw new ArgumentException("ablate: name exactly one layer with --layers.");
            IReadOnlyList<int>? chosen = parse.GetValue(channels) is string list ? [.. Split(list).Select(int.Parse)] : null;
            Console.WriteLine($"model    {name}");
            Console.WriteLine($"layer    {layer}");
            Console.WriteLine($"examples {examples.Description}");
            var report = ProgressDisplay.Run(progress => new AblationJob(name, model, layer, parse.GetValue(mode), chosen, parse.GetValue(seed), parse.GetValue(projection)).Run(examples, progress, cancellation));
            foreach (var e in report.Effects.OrderByDescending(e => Math.Abs(e.ScoreChange)).Take(5))
                Console.WriteLine($"  channel {e.Channel,4}: Δ score {e.ScoreChange,9:F4}   top-1 unchanged {e.Agreement,6:P1}");
            Console.WriteLine($"  all {report.Effects.Count} together: Δ score {report.Joint.ScoreChange:F4}, top-1 unchanged {report.Joint.Agreement:P1}");
            return Written(AnalyzeReportWriter.Write(AblationHtml.Render(report), AblationHtml.Summary(report), parse.GetValue(common.Output)!.FullName));
        }, parse.GetValue(common.Threads))));
        return command;
    }

    private static Command Filters()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A zoo model name or an .onnx file. Default: the zoo's default model." };
        var spectra = new Option<int>("--spectra") { Description = "How many weight matrices (evenly spaced) get a singular value spectrum.", DefaultValueFactory = _ => 8 };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder for report.html, summary.json and filters.png.", DefaultValueFactory = _ => new DirectoryInfo("lumen-filters") };
        var command = new Command("filters", "Look at the weights: first-layer filters as images, per-parameter statistics, singular value spectra.") { model, spectra, output };
        command.SetAction(parse => Guarded(() =>
        {
            var (name, module, _) = LoadModel(parse.GetValue(model), null, Preprocess.ImageNet(224));
            var report = WeightsReport.Create(name, module, parse.GetValue(spectra));
            Console.WriteLine($"model    {name}: {report.Statistics.Count} parameters, {report.Statistics.Sum(s => (long)s.Count):N0} values");
            Console.WriteLine($"filters  {report.FirstLayer ?? "none (no convolution reads the image)"}");
            foreach (var s in report.Spectra) Console.WriteLine($"  {s.Name}: σ₁ {s.SingularValues[0]:F3}, stable rank {s.StableRank:F2}, effective rank {s.EffectiveRank:F1} of {s.SingularValues.Length}");
            var images = report.Filters is null ? [] : new[] { ("filters.png", report.Filters) };
            return Written(AnalyzeReportWriter.Write(WeightsHtml.Render(report), WeightsHtml.Summary(report), parse.GetValue(output)!.FullName, images));
        }, null));
        return command;
    }

    private static Command ProbeLayers()
    {
        var common = new Common();
        var epochs = new Option<int>("--epochs") { Description = "Training epochs of each probe.", DefaultValueFactory = _ => 40 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the MLP probe.", DefaultValueFactory = _ => 64 };
        var types = new Option<int>("--control-types") { Description = "Prototype types of the control task.", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the control task and the probes.", DefaultValueFactory = _ => 0 };
        var command = new Command("probe", "Train linear and MLP probes on each layer's cached activations, with a control task and selectivity (Hewitt & Liang), and plot per-layer accuracy.") { epochs, hidden, types, seed };
        common.AddTo(command);
        command.SetAction((parse, cancellation) => Task.FromResult(Guarded(() =>
        {
            var (name, model, _, examples) = Load(parse, common);
            var layers = Layers(parse.GetValue(common.Layers), model);
            var options = new ProbeOptions { Epochs = parse.GetValue(epochs), Hidden = parse.GetValue(hidden), Seed = parse.GetValue(seed) };
            Console.WriteLine($"model    {name}");
            Console.WriteLine($"examples {examples.Description}");
            var report = ProgressDisplay.Run(progress => new ProbeJob(name, model, layers, options, controlTypes: parse.GetValue(types), seed: parse.GetValue(seed)).Run(examples, progress, cancellation));
            foreach (var l in report.Layers)
                Console.WriteLine($"  {l.Layer,-28} linear {l.Linear,6:P1} (control {l.LinearControl,6:P1}, selectivity {l.LinearSelectivity,6:P1})   MLP {l.Mlp,6:P1} (control {l.MlpControl,6:P1}, selectivity {l.MlpSelectivity,6:P1})");
            return Written(AnalyzeReportWriter.Write(ProbeHtml.Render(report), ProbeHtml.Summary(report), parse.GetValue(common.Output)!.FullName));
        }, parse.GetValue(common.Threads))));
        return command;
    }

    private static Command ConceptTest()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A zoo model name (RGB ImageNet classifier). Default: the zoo's default model." };
        var layer = new Option<string?>("--layer", "-l") { Description = $"The hook point whose activations the CAVs live in. Default: MobileNetV2's {MobileNetConceptLayer}; for another model the second-deepest of its default layers (see analyze top-examples)." };
        var target = new Option<string>("--class", "-c") { Description = "The class to test (index or label).", DefaultValueFactory = _ => "zebra" };
        var concept = new Option<string?>("--concept") { Description = "A folder of concept images; default: generated black-and-white stripes." };
        var inputs = new Option<string?>("--inputs") { Description = "A folder of images whose sensitivity is tested; default: the bundled sample photos." };
        var sets = new Option<int>("--random-sets") { Description = "Random concept sets (random crops of the inputs' photos).", DefaultValueFactory = _ => 5 };
        var size = new Option<int>("--per-set") { Description = "Images per concept and random set.", DefaultValueFactory = _ => 15 };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder for report.html and summary.json.", DefaultValueFactory = _ => new DirectoryInfo("lumen-tcav") };
        var threads = new Option<int?>("--threads") { Description = "Worker threads for the tensor kernels (default: all cores)." };
        var command = new Command("tcav", "TCAV: is a class sensitive to a concept (default: stripes for 'zebra')? CAVs against random sets, with a t-test p-value.") { model, layer, target, concept, inputs, sets, size, output, threads };
        command.SetAction(parse => Guarded(() =>
        {
            var zoo = ModelZoo.Default;
            var zooModel = parse.GetValue(model) is string m ? zoo.Load(m) : zoo.Load(zoo.DefaultModel);
            zooModel.Module.Eval();
            int classIndex = zooModel.FindClass(parse.GetValue(target)!);
            int n = parse.GetValue(size), px = zooModel.Descriptor.InputSize;
            Tensor Batch(IEnumerable<Image> images) => Tensor.Concat([.. images.Select(i => ImageTensor.FromImage(i, zooModel.Preprocess))]);
            var photos = (parse.GetValue(inputs) is string dir ? ExampleSet.FromImageFolder(dir, zooModel.Preprocess) : ExampleSet.FromImageFolder(SampleImages.Folder, zooModel.Preprocess));
            var photoImages = Enumerable.Range(0, photos.Count).Select(photos.Display).ToList();
            var conceptImages = parse.GetValue(concept) is string cdir ? Enumerable.Range(0, Math.Min(n, ExampleSet.FromImageFolder(cdir, zooModel.Preprocess).Count)).Select(ExampleSet.FromImageFolder(cdir, zooModel.Preprocess).Display).ToList()
                : ConceptImages.Stripes(n, px, seed: 1);
            var randomSets = Enumerable.Range(0, parse.GetValue(sets)).Select(s => Batch(ConceptImages.RandomCrops(photoImages, n, px, seed: 100 + s))).ToList();
            var layerName = parse.GetValue(layer) ?? ConceptLayer(zooModel.Module);
            var tcav = new Tcav(zooModel.Module, layerName);
            Console.WriteLine($"model    {zooModel.Descriptor.Name}, layer {layerName}, class {classIndex} {zooModel.Label(classIndex)}");
            Console.WriteLine($"concept  {(parse.GetValue(concept) ?? "generated stripes")} ({conceptImages.Count} images); {randomSets.Count} random sets; {photos.Count} inputs");
            var result = tcav.Test(Batch(conceptImages), randomSets, Batch(photoImages), classIndex);
            Console.WriteLine($"TCAV     {result.Mean:F3} (per random set: {string.Join(", ", result.Scores.Select(s => s.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))})");
            Console.WriteLine($"random   {result.RandomScores.Average():F3} (per pair: {string.Join(", ", result.RandomScores.Select(s => s.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))})");
            Console.WriteLine($"t-test   t = {result.T:F2}, p = {result.P:G3}; CAV accuracy {result.CavAccuracies.Average():P0}");
            var page = new HtmlDocument("Lumen analyze tcav", $"{zooModel.Descriptor.Name} · {layerName} · class {classIndex} {zooModel.Label(classIndex)}");
            page.Figures(conceptImages.Take(6).Select(i => (i, "concept", (string?)null)));
            page.Table(["", "mean", "per set"], [["concept TCAV", result.Mean.ToString("F3", System.Globalization.CultureInfo.InvariantCulture), string.Join(" ", result.Scores.Select(s => s.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))],
                ["random vs random", result.RandomScores.Average().ToString("F3", System.Globalization.CultureInfo.InvariantCulture), string.Join(" ", result.RandomScores.Select(s => s.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))]]);
            page.Paragraph($"Welch t-test of the concept's scores against random-vs-random CAVs: t = {result.T:F2}, p = {result.P:G3} (significant below 0.05). TCAV = fraction of the inputs whose class logit rises along the CAV (Kim et al. 2018).");
            return Written(AnalyzeReportWriter.Write(page, result, parse.GetValue(output)!.FullName));
        }, parse.GetValue(threads)));
        return command;
    }

    /// <summary>The layer TCAV tests in MobileNetV2 by default (a late block, before the classifier).</summary>
    private const string MobileNetConceptLayer = "MobilenetV2_expanded_conv_15_add";

    /// <summary>TCAV's default layer: <see cref="MobileNetConceptLayer"/> where the model has it, else the second-deepest
    /// of the default layers (the deepest is often the class scores themselves).</summary>
    private static string ConceptLayer(Lumen.NN.Module model)
    {
        if (model.NamedModules().Any(m => m.Name == MobileNetConceptLayer)) return MobileNetConceptLayer;
        var layers = Layers(null, model);
        return layers[Math.Max(0, layers.Count - 2)];
    }

    /// <summary>Ablation's default layer: the middle one of the default layers (a late layer has hundreds of channels, each
    /// one forward pass over the examples).</summary>
    private static string MiddleLayer(Lumen.NN.Module model)
    {
        var layers = Layers(null, model);
        return layers[layers.Count / 2];
    }
}
