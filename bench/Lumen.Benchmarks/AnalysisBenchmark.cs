using System.Diagnostics;
using System.Globalization;
using Lumen.Analysis.Recording;
using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Lumen.Zoo;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>analysis [--model mobilenetv2] [--batch 8] [--batches 2] [--layers 4] [--repeats 3] [--threads 1]</c>: images/s of
/// activation recording (<see cref="ActivationRecorder"/>: per-channel statistics and top-9 examples with maps at
/// evenly spaced ReLU layers) against the plain forward pass, and of caching every module's output
/// (<c>RunWithCache</c>), on the same inputs. The three run in rotation within each repeat and the best of each
/// counts, so the load on a shared machine affects them alike; with one thread the thread's CPU time is reported too.
/// </summary>
public static class AnalysisBenchmark
{
    public static int Run(string[] args)
    {
        int at = Array.IndexOf(args, "--model");
        string modelName = at >= 0 && at + 1 < args.Length ? args[at + 1] : "mobilenetv2";
        int batch = BenchmarkArguments.IntList(args, "--batch", [8])[0], batches = BenchmarkArguments.IntList(args, "--batches", [2])[0];
        int layerCount = BenchmarkArguments.IntList(args, "--layers", [4])[0], repeats = BenchmarkArguments.IntList(args, "--repeats", [3])[0];
        Parallelism.MaxDegree = BenchmarkArguments.IntList(args, "--threads", [1])[0];
        var model = ModelZoo.Default.Load(modelName).Module;
        model.Eval();
        int size = ModelZoo.Default.Find(modelName).InputSize;
        var inputs = Enumerable.Range(0, batches).Select(b => Tensor.Rand(new Shape(batch, 3, size, size), seed: b, low: -1, high: 1)).ToList();
        var relus = model.NamedModules().Select(m => m.Name).Where(n => n.Contains("relu", StringComparison.OrdinalIgnoreCase)).ToList();
        var layers = Enumerable.Range(0, layerCount).Select(i => relus[(int)Math.Round(i * (relus.Count - 1) / (double)Math.Max(1, layerCount - 1))]).Distinct().ToList();
        var runs = new (string Name, Action Run)[]
        {
            ("forward", () => { foreach (var x in inputs) using (GradMode.Off()) model.Call(x); }),
            ("record", () => { var r = new ActivationRecorder(model, new() { HookPoints = layers, TopK = 9 }); foreach (var x in inputs) r.Add(x); r.Result(); }),
            ("cache-all", () => { foreach (var x in inputs) using (GradMode.Off()) model.RunWithCache(x, detach: true); }),
        };
        var best = runs.ToDictionary(r => r.Name, _ => (Wall: double.MaxValue, Cpu: double.MaxValue));
        runs[0].Run(); // warm-up
        for (int repeat = 0; repeat < Math.Max(1, repeats); repeat++)
            foreach (var (name, run) in runs)
            {
                double cpu0 = ThreadCpuClock.IsSupported ? ThreadCpuClock.Seconds() : 0;
                var watch = Stopwatch.StartNew();
                run();
                double wall = watch.Elapsed.TotalSeconds, cpu = ThreadCpuClock.IsSupported ? ThreadCpuClock.Seconds() - cpu0 : double.NaN;
                best[name] = (Math.Min(best[name].Wall, wall), Math.Min(best[name].Cpu, cpu));
            }
        int images = batch * batches;
        foreach (var (name, _) in runs)
        {
            var (wall, cpu) = best[name];
            bool oneThread = Parallelism.MaxDegree == 1 && ThreadCpuClock.IsSupported;
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{{\"bench\":\"analysis\",\"run\":\"{name}\",\"model\":\"{modelName}\",\"images\":{images},\"batch\":{batch},\"layers\":{layers.Count},\"threads\":{Parallelism.MaxDegree},\"seconds\":{wall:F3},\"imagesPerSecond\":{images / wall:F2},\"overheadPercent\":{100 * (wall / best["forward"].Wall - 1):F1}");
            string cpuPart = oneThread ? string.Create(CultureInfo.InvariantCulture,
                $",\"cpuSeconds\":{cpu:F3},\"cpuImagesPerSecond\":{images / cpu:F2},\"cpuOverheadPercent\":{100 * (cpu / best["forward"].Cpu - 1):F1}") : "";
            Console.WriteLine(line + cpuPart + "}");
        }
        return 0;
    }
}
