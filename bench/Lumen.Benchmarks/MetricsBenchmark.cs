using System.Diagnostics;
using System.Globalization;
using Lumen.Attribution;
using Lumen.Attribution.Common;
using Lumen.Metrics;
using Lumen.Metrics.Faithfulness;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Lumen.Zoo;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>metrics [--model mobilenetv2] [--steps 224] [--batch 16] [--repeats 2] [--threads N]</c>: times the deletion and insertion
/// curves on a zoo model and, in the same run, the bare forward passes they cannot avoid (steps + 1 rows in chunks of
/// the same batch size); prints the overhead of the metric over those passes. With <c>--threads 1</c> it also prints
/// thread-CPU times, which other processes on a shared machine do not inflate.
/// </summary>
public static class MetricsBenchmark
{
    public static int Run(string[] args)
    {
        int at = Array.IndexOf(args, "--model");
        string modelName = at >= 0 && at + 1 < args.Length ? args[at + 1] : "mobilenetv2";
        int steps = BenchmarkArguments.IntList(args, "--steps", [224])[0], batch = BenchmarkArguments.IntList(args, "--batch", [16])[0];
        int repeats = BenchmarkArguments.IntList(args, "--repeats", [2])[0];
        Parallelism.MaxDegree = BenchmarkArguments.IntList(args, "--threads", [Parallelism.MaxDegree])[0];
        var model = ModelZoo.Default.Load(modelName).Module;
        int size = ModelZoo.Default.Find(modelName).InputSize;
        var input = Tensor.Rand(new Shape(1, 3, size, size), seed: 1, low: -1, high: 1);
        var map = Tensor.Randn(new Shape(1, 3, size, size), seed: 2);
        var metricInput = new MetricInput(model, input, map, Target.Class(1));
        int rows = steps + 1;

        bool cpu = Parallelism.MaxDegree == 1 && ThreadCpuClock.IsSupported; // one thread: its CPU time is all the work
        var forward = Best(repeats, cpu, () =>
        {
            for (int start = 0; start < rows; start += batch)
            {
                int count = Math.Min(batch, rows - start);
                var chunk = Tensor.Rand(new Shape(count, 3, size, size), seed: start, low: -1, high: 1);
                using (GradMode.Off()) model.Call(chunk);
            }
        });
        foreach (var metric in new IMetric[] { new DeletionCurve(new() { Steps = steps, BatchSize = batch }), new InsertionCurve(new() { Steps = steps, BatchSize = batch }) })
        {
            var seconds = Best(repeats, cpu, () => metric.Evaluate(metricInput));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"bench\":\"metrics\",\"metric\":\"{metric.Name}\",\"model\":\"{modelName}\",\"steps\":{steps},\"batch\":{batch},\"threads\":{Parallelism.MaxDegree},\"metricSeconds\":{seconds.Wall:F3},\"forwardSeconds\":{forward.Wall:F3},\"overheadPercent\":{100 * (seconds.Wall / forward.Wall - 1):F1}{(cpu ? $",\"metricCpuSeconds\":{seconds.Cpu:F3},\"forwardCpuSeconds\":{forward.Cpu:F3},\"cpuOverheadPercent\":{100 * (seconds.Cpu / forward.Cpu - 1):F1}" : "")}}}"));
        }
        return 0;
    }

    /// <summary>The best wall time and, with one thread, the best thread-CPU time over the repeats.</summary>
    private static (double Wall, double Cpu) Best(int repeats, bool cpu, Action action)
    {
        double wall = double.MaxValue, cpuBest = double.MaxValue;
        for (int r = 0; r < Math.Max(1, repeats); r++)
        {
            double start = cpu ? ThreadCpuClock.Seconds() : 0;
            var watch = Stopwatch.StartNew();
            action();
            wall = Math.Min(wall, watch.Elapsed.TotalSeconds);
            if (cpu) cpuBest = Math.Min(cpuBest, ThreadCpuClock.Seconds() - start);
        }
        return (wall, cpuBest);
    }
}
