using System.Diagnostics;
using System.Globalization;
using Lumen.Attribution;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.Tensors.IO;

namespace Lumen.Benchmarks;

/// <summary>
/// What the attribution benchmarks share: MobileNetV2 at 224×224 with the Captum fixture input and target (class
/// 967), median timing, and one JSON line per method with its ratio to Saliency measured in the same run and, where
/// ../shared/fixtures/README.md has one, to Captum's time (directly, and through the Saliency ratios, which cancels
/// most of the load of a shared machine).
/// </summary>
internal sealed class MobileNetAttributionCase
{
    /// <summary>Captum 0.8.0 Saliency on the same model and input (../shared/fixtures/README.md).</summary>
    public const double CaptumSaliencySeconds = 0.082;

    private MobileNetAttributionCase(GraphModule model, Tensor input, int threads, int repeats)
    {
        Model = model;
        Input = input;
        Threads = threads;
        Repeats = repeats;
    }

    public GraphModule Model { get; }

    /// <summary>The hook point of the Conv node named <paramref name="node"/> (Captum's layer name).</summary>
    public string HookOfConv(string node) =>
        Model.HookNameOf(Model.Model.Nodes.Single(n => n.Name == node && n.OpType == "Conv").Outputs[0])
        ?? throw new InvalidOperationException($"attribution benchmark: Conv node '{node}' has no hook point.");

    public Tensor Input { get; }

    public Target Target { get; } = Target.Class(967);

    public int Threads { get; }

    public int Repeats { get; }

    /// <summary>Seconds of Saliency, measured first by <see cref="MeasureSaliency"/>.</summary>
    public double SaliencySeconds { get; private set; } = double.NaN;

    /// <summary>Reads <c>--threads</c> (default 2) and <c>--repeats</c> (default 3), sets the thread count and loads
    /// the model and input from ../shared.</summary>
    public static MobileNetAttributionCase Load(string[] args, string benchmark)
    {
        int threads = BenchmarkArguments.IntList(args, "--threads", [2])[0];
        int repeats = BenchmarkArguments.IntList(args, "--repeats", [3])[0];
        Parallelism.MaxDegree = threads;
        string root = FindShared(benchmark);
        var model = OnnxModel.Load(Path.Combine(root, "models/imagenet/mobilenetv2-1.0-224.onnx"));
        model.Eval();
        var input = Npy.Read(Path.Combine(root, "fixtures/mobilenetv2-1.0-224.coffee/input.npy"));
        return new MobileNetAttributionCase(model, input, threads, repeats);
    }

    /// <summary>Times Saliency (the in-run reference of every ratio) and reports it.</summary>
    public void MeasureSaliency(IAttributionMethod saliency)
    {
        SaliencySeconds = Median(() => saliency.Explain(Input, Target));
        Report("saliency", SaliencySeconds, CaptumSaliencySeconds);
    }

    /// <summary>Times <paramref name="method"/> and prints its JSON line.</summary>
    public double Measure(string name, IAttributionMethod method, double? captumSeconds)
    {
        double seconds = Median(() => method.Explain(Input, Target));
        Report(name, seconds, captumSeconds);
        return seconds;
    }

    private void Report(string method, double seconds, double? captum)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{{\"case\":\"{method}\",\"model\":\"mobilenetv2-224\",\"threads\":{Threads},\"s\":{seconds:F3},\"vs_saliency\":{seconds / SaliencySeconds:F2}");
        if (captum is { } c)
            line += string.Create(CultureInfo.InvariantCulture,
                $",\"captum_s\":{c:F3},\"vs_captum\":{seconds / c:F2},\"vs_captum_via_saliency\":{seconds / SaliencySeconds / (c / CaptumSaliencySeconds):F2}");
        Console.WriteLine(line + "}");
    }

    /// <summary>Median wall time in seconds of <see cref="Repeats"/> runs after one warm-up.</summary>
    private double Median(Action action)
    {
        action();
        var times = new double[Math.Max(1, Repeats)];
        for (int i = 0; i < times.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    private static string FindShared(string benchmark)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared");
            if (Directory.Exists(Path.Combine(candidate, "fixtures"))) return Path.GetFullPath(candidate);
        }
        throw new DirectoryNotFoundException($"{benchmark} benchmark: ../shared (models and fixtures) not found above the benchmark's folder.");
    }
}
