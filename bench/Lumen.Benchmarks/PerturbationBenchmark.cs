using System.Diagnostics;
using System.Globalization;
using Lumen.Attribution;
using Lumen.Attribution.Perturbation;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.Tensors.IO;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>perturbation</c>: seconds per explanation of Occlusion (window 16, stride 8: 729 windows) with full forward
/// passes and incrementally, FeatureAblation (16×16 cells: 196 features) and KernelShap (200 samples) on
/// MobileNetV2 at 224×224, one JSON line each with the ratio to Captum's time from ../shared/fixtures/README.md
/// (2 threads, 16 perturbations per batch). Full-pass cases use 16 rows per batch like Captum.
/// </summary>
internal static class PerturbationBenchmark
{
    private static readonly Dictionary<string, double> Captum = new()
    {
        ["occlusion_full"] = 5.48, ["occlusion_incremental"] = 5.48, ["feature_ablation"] = 1.41, ["kernel_shap"] = 1.34,
    };

    public static int Run(string[] args)
    {
        int threads = BenchmarkArguments.IntList(args, "--threads", [2])[0];
        int repeats = BenchmarkArguments.IntList(args, "--repeats", [1])[0];
        int batch = BenchmarkArguments.IntList(args, "--batch", [16])[0];
        var cases = BenchmarkArguments.StringList(args, "--cases", ["occlusion_incremental", "occlusion_full", "feature_ablation", "kernel_shap"]);
        Parallelism.MaxDegree = threads;
        string root = PropagationBenchmark.FindShared();
        var model = OnnxModel.Load(Path.Combine(root, "models/imagenet/mobilenetv2-1.0-224.onnx"));
        model.Eval();
        var input = Npy.Read(Path.Combine(root, "fixtures/mobilenetv2-1.0-224.coffee/input.npy"));
        var target = Target.Class(967);
        foreach (var name in cases)
        {
            IAttributionMethod method = name switch
            {
                "occlusion_incremental" => new Occlusion(model, new() { Window = [16, 16], Strides = [8, 8], BatchSize = batch }),
                "occlusion_full" => new Occlusion(model, new() { Window = [16, 16], Strides = [8, 8], BatchSize = batch, Incremental = false }),
                "feature_ablation" => new FeatureAblation(model, new() { Mask = FeatureMask.Grid(16), BatchSize = batch }),
                _ => throw new ArgumentException($"perturbation benchmark: unknown case '{name}' (occlusion_incremental, occlusion_full, feature_ablation, kernel_shap)."),
            };
            var (wall, cpu) = Median(() => method.Explain(input, target), repeats);
            double captum = Captum[name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"case\":\"{name}\",\"model\":\"mobilenetv2-224\",\"threads\":{threads},\"batch\":{batch},\"s\":{wall:F3},\"thread_cpu_s\":{cpu:F3},\"captum_s\":{captum:F2},\"vs_captum\":{wall / captum:F3},\"load_avg\":\"{LoadAverage()}\"}}"));
        }
        return 0;
    }

    /// <summary>Median wall and calling-thread CPU seconds of <paramref name="repeats"/> runs after one warm-up.</summary>
    private static (double Wall, double Cpu) Median(Action action, int repeats)
    {
        action();
        var runs = new (double Wall, double Cpu)[Math.Max(1, repeats)];
        for (int i = 0; i < runs.Length; i++)
        {
            double cpu = ThreadCpuClock.IsSupported ? ThreadCpuClock.Seconds() : 0;
            var watch = Stopwatch.StartNew();
            action();
            runs[i] = (watch.Elapsed.TotalSeconds, ThreadCpuClock.IsSupported ? ThreadCpuClock.Seconds() - cpu : double.NaN);
        }
        Array.Sort(runs);
        return runs[runs.Length / 2];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
