using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Lumen.Attribution;
using Lumen.Metrics.Randomisation;
using Lumen.Metrics.Retraining;
using Lumen.NN;
using Lumen.NN.IO;
using Lumen.NN.Training;
using Lumen.Reports.Retraining;
using Lumen.Tensors;

namespace Lumen.Cli;

/// <summary><c>lumen evaluate roar [--data DIR] [--methods LIST] [--modes roar,kar] [--fractions LIST] [--fill mean|noisy-linear] [--train N]
/// [--test N] [--epochs N] [--no-data-randomisation] [--out DIR]</c>: ROAR and KAR (remove/keep the top-k % attributed
/// pixels and retrain a small CNN) on an IDX image data set such as MNIST or Fashion-MNIST, with a random baseline,
/// plus the data randomisation check; writes report.html, roar.svg, kar.svg and retraining.json.</summary>
internal static class RetrainCommand
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder with one *images-idx3-ubyte[.gz] and one *labels-idx1-ubyte[.gz] file (MNIST, Fashion-MNIST).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("data", "mnist")) };
        var methods = new Option<string>("--methods") { Description = "Comma-separated attribution methods or aliases, or 'all' (see `lumen methods`); a random ranking is always added.", DefaultValueFactory = _ => "saliency,input-x-gradient,integrated-gradients" };
        var modes = new Option<string>("--modes") { Description = "roar, kar or roar,kar.", DefaultValueFactory = _ => "roar,kar" };
        var fractions = new Option<string>("--fractions") { Description = "Fractions k of pixels removed (ROAR) or kept (KAR).", DefaultValueFactory = _ => "0.1,0.3,0.5,0.7,0.9" };
        var fill = new Option<string>("--fill") { Description = "How removed pixels are filled: mean (the training set's channel mean, Hooker et al.) or noisy-linear (ROAD's imputation from the neighbours, which hides the shape of the removed set).", DefaultValueFactory = _ => "mean" };
        var train = new Option<int>("--train") { Description = "Training samples (a seeded shuffle of the data set).", DefaultValueFactory = _ => 4000 };
        var test = new Option<int>("--test") { Description = "Held-out test samples.", DefaultValueFactory = _ => 1000 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs per trained model.", DefaultValueFactory = _ => 3 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the initial weights and the random ranking.", DefaultValueFactory = _ => 1 };
        var noData = new Option<bool>("--no-data-randomisation") { Description = "Skip the data randomisation check (training on shuffled labels)." };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder.", DefaultValueFactory = _ => new DirectoryInfo("lumen-roar") };
        var threads = new Option<int?>("--threads") { Description = "Worker threads for the tensor kernels (default: all cores)." };
        var settings = ExplainCommand.SetOption();
        var command = new Command("roar", "ROAR and KAR: retrain a small CNN with the top-k % attributed pixels removed or kept, per method and a random baseline, and plot accuracy against k; plus the data randomisation check.")
        {
            data, methods, modes, fractions, fill, train, test, epochs, seed, noData, output, threads, settings,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(parse.GetValue(data)!, parse.GetValue(methods)!, parse.GetValue(modes)!, parse.GetValue(fractions)!, parse.GetValue(fill)!,
            parse.GetValue(train), parse.GetValue(test), parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(noData), parse.GetValue(output)!, parse.GetValue(threads), parse.GetValue(settings) ?? [], cancellation)));
        return command;
    }

    private static int Run(DirectoryInfo dataFolder, string methodList, string modeList, string fractionList, string fill, int trainCount, int testCount, int epochs, int seed,
        bool noDataRandomisation, DirectoryInfo output, int? threads, string[] settingList, CancellationToken cancellation)
    {
        try
        {
            if (threads is int t) Parallelism.MaxDegree = Math.Max(1, t);
            if (trainCount < 10 || testCount < 10 || epochs < 1) throw new ArgumentException($"--train ({trainCount}) and --test ({testCount}) must be at least 10 and --epochs ({epochs}) at least 1.");
            var names = ExplainCommand.ParseMethods(methodList);
            var settings = ExplainCommand.ParseSettings(settingList, names);
            var methods = names.Select(KnownAttributionMethods.Find).Select(m => (m.Name, (Func<Module, IAttributionMethod>)(model => m.Create(model, settings)))).ToList();
            var retraining = new RetrainingOptions { Seed = seed, Training = new ClassifierTrainingOptions { Epochs = epochs } };
            var options = new RemoveAndRetrainOptions { Modes = ParseModes(modeList), Fractions = ParseFractions(fractionList), Fill = ParseFill(fill), Retraining = retraining };
            if (!dataFolder.Exists) throw new DirectoryNotFoundException($"--data: {dataFolder.FullName} does not exist.");
            var all = Idx.LoadLabelledImages(dataFolder.FullName, mean: 0.1307f, std: 0.3081f);
            if (trainCount + testCount > all.Count) throw new ArgumentException($"--train {trainCount} + --test {testCount} exceed the {all.Count} samples in {dataFolder.FullName}.");
            var (rest, testData) = all.Split(testCount, seed);
            var trainData = rest.Take(trainCount);
            Console.WriteLine($"data     {dataFolder.FullName}: {trainData.Count} training, {testData.Count} test samples");
            Console.WriteLine($"methods  {string.Join(", ", methods.Select(m => m.Name))} + {RemoveAndRetrain.RandomRanking}");
            if (!settings.IsEmpty) Console.WriteLine($"settings {settings}");
            Console.WriteLine($"fill     {(options.Fill == RemovalFill.ChannelMean ? "channel mean" : "noisy linear imputation (ROAD)")}");
            var watch = Stopwatch.StartNew();
            var progress = new TimedLines(watch);
            var result = new RemoveAndRetrain(options).Evaluate(trainData, testData, methods, progress, cancellation);
            var dataRandomisation = noDataRandomisation ? null
                : new DataRandomisation(new DataRandomisationOptions { Retraining = retraining }).Evaluate(trainData, testData.Take(100), methods, progress, cancellation);
            var report = new RetrainingReport(dataFolder.Name, trainData.Count, testData.Count, epochs, result, dataRandomisation, watch.Elapsed.TotalSeconds);
            Print(report);
            Console.WriteLine();
            Console.WriteLine($"report   {RetrainingReportWriter.Write(report, output.FullName)}");
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static RetrainingMode[] ParseModes(string list) => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant() switch
    {
        "roar" => RetrainingMode.Remove,
        "kar" => RetrainingMode.Keep,
        _ => throw new ArgumentException($"--modes: unknown mode '{m}'; use roar, kar or roar,kar."),
    }).Distinct()];

    private static RemovalFill ParseFill(string fill) => fill.Trim().ToLowerInvariant() switch
    {
        "mean" => RemovalFill.ChannelMean,
        "noisy-linear" => RemovalFill.NoisyLinear,
        _ => throw new ArgumentException($"--fill: unknown fill '{fill}'; use mean or noisy-linear."),
    };

    private static double[] ParseFractions(string list) => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(f =>
        double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v is >= 0 and <= 1 ? v : throw new ArgumentException($"--fractions: '{f}' is not a number in [0, 1]."))];

    private static void Print(RetrainingReport report)
    {
        var result = report.Retraining;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"base accuracy {result.BaseAccuracy:P2}"));
        foreach (var mode in result.Curves.Select(c => c.Mode).Distinct())
        {
            Console.WriteLine($"{(mode == RetrainingMode.Remove ? "ROAR" : "KAR")} accuracy at k = {string.Join(", ", result.Fractions.Select(f => f.ToString("P0", CultureInfo.InvariantCulture)))}");
            foreach (var curve in result.Curves.Where(c => c.Mode == mode))
                Console.WriteLine($"  {curve.Method,-24} {string.Join("  ", curve.Accuracy.Select(a => a.ToString("0.000", CultureInfo.InvariantCulture)))}   mean {curve.Score.ToString("0.000", CultureInfo.InvariantCulture)}");
        }
        if (report.DataRandomisation is { } data)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"data randomisation (|Spearman| of maps, true vs shuffled labels; train accuracy {data.TrainAccuracy:P1} / {data.ShuffledTrainAccuracy:P1})"));
            foreach (var (method, r) in data.Results) Console.WriteLine($"  {method,-24} {r.Value.ToString("0.000", CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>Prints each progress line at once, with the elapsed time (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class TimedLines(Stopwatch watch) : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {watch.Elapsed.TotalSeconds,6:F0} s  {value}"));
    }
}
