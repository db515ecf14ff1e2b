using System.Diagnostics;
using System.Globalization;
using Lumen.Attribution;
using Lumen.Attribution.Gradient;
using Lumen.Attribution.Propagation;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.Tensors.IO;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>propagation</c>: seconds per explanation of LRP (EpsilonPlusFlat), DeepLift, guided backprop and, as the
/// reference measured in the same run, Saliency, on MobileNetV2 at 224×224; one JSON line each with the ratio to
/// Saliency and, where ../shared/fixtures/README.md has one, to Captum's time.
/// </summary>
internal static class PropagationBenchmark
{
    /// <summary>Captum 0.8.0 Saliency on the same model and input (../shared/fixtures/README.md).</summary>
    private const double CaptumSaliencySeconds = 0.082;

    public static int Run(string[] args)
    {
        int threads = BenchmarkArguments.IntList(args, "--threads", [2])[0];
        int repeats = BenchmarkArguments.IntList(args, "--repeats", [3])[0];
        Parallelism.MaxDegree = threads;
        string root = FindShared();
        var model = OnnxModel.Load(Path.Combine(root, "models/imagenet/mobilenetv2-1.0-224.onnx"));
        model.Eval();
        var input = Npy.Read(Path.Combine(root, "fixtures/mobilenetv2-1.0-224.coffee/input.npy"));
        var target = Target.Class(967);
        double saliency = Median(() => new Saliency(model).Explain(input, target), repeats);
        Report("saliency", threads, saliency, saliency, CaptumSaliencySeconds);
        Report("lrp_epsilon_plus_flat", threads, Median(() => new Lrp(model).Explain(input, target), repeats), saliency, null);
        Report("deep_lift", threads, Median(() => new DeepLift(model).Explain(input, target), repeats), saliency, null);
        Report("guided_backprop", threads, Median(() => new GuidedBackprop(model).Explain(input, target), repeats), saliency, null);
        return 0;
    }

    private static void Report(string method, int threads, double seconds, double saliency, double? captum)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{{\"case\":\"{method}\",\"model\":\"mobilenetv2-224\",\"threads\":{threads},\"s\":{seconds:F3},\"vs_saliency\":{seconds / saliency:F2}");
        if (captum is { } c) line += string.Create(CultureInfo.InvariantCulture, $",\"captum_s\":{c:F3},\"vs_captum\":{seconds / c:F2}");
        Console.WriteLine(line + "}");
    }

    /// <summary>Median wall time in seconds of <paramref name="repeats"/> runs after one warm-up.</summary>
    private static double Median(Action action, int repeats)
    {
        action();
        var times = new double[Math.Max(1, repeats)];
        for (int i = 0; i < times.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    internal static string FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared");
            if (Directory.Exists(Path.Combine(candidate, "fixtures"))) return Path.GetFullPath(candidate);
        }
        throw new DirectoryNotFoundException("propagation benchmark: ../shared (models and fixtures) not found above the benchmark's folder.");
    }
}
