using System.Diagnostics;
using System.Globalization;
using Lumen.Attribution;
using Lumen.Onnx;
using Lumen.Tensors.IO;
using Lumen.Tensors;
using Lumen.Zoo;

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

    /// <summary>Seconds of Saliency (thread-CPU on one thread, else wall), measured first by <see cref="MeasureSaliency"/>.</summary>
    public double SaliencySeconds { get; private set; } = double.NaN;

    /// <summary>Reads <c>--threads</c> (default 2) and <c>--repeats</c> (default 3), sets the thread count and loads
    /// the model and input from ../shared.</summary>
    public static MobileNetAttributionCase Load(string[] args, string benchmark)
    {
        int threads = BenchmarkArguments.IntList(args, "--threads", [2])[0];
        int repeats = BenchmarkArguments.IntList(args, "--repeats", [3])[0];
        Parallelism.MaxDegree = threads;
        string root = Path.GetDirectoryName(SharedFolder.Find("fixtures")
            ?? throw new DirectoryNotFoundException($"{benchmark} benchmark: ../shared (models and fixtures) not found above the current or the benchmark's folder."))!;
        var model = OnnxModel.Load(Path.Combine(root, "models/imagenet/mobilenetv2-1.0-224.onnx"));
        model.Eval();
        var input = Npy.Read(Path.Combine(root, "fixtures/mobilenetv2-1.0-224.coffee/input.npy"));
        return new MobileNetAttributionCase(model, input, threads, repeats);
    }

    /// <summary>Times Saliency (the in-run reference of every ratio) and reports it.</summary>
    public void MeasureSaliency(IAttributionMethod saliency)
    {
        var (wall, cpu) = Median(() => saliency.Explain(Input, Target));
        SaliencySeconds = cpu ?? wall;
        Report("saliency", wall, cpu, CaptumSaliencySeconds);
    }

    /// <summary>Times <paramref name="method"/> and prints its JSON line.</summary>
    public void Measure(string name, IAttributionMethod method, double? captumSeconds)
    {
        var (wall, cpu) = Median(() => method.Explain(Input, Target));
        Report(name, wall, cpu, captumSeconds);
    }

    /// <summary>One JSON line; on one thread the ratios use the thread-CPU seconds (<c>cpu_s</c>).</summary>
    private void Report(string method, double wall, double? cpu, double? captum)
    {
        double seconds = cpu ?? wall;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{{\"case\":\"{method}\",\"model\":\"mobilenetv2-224\",\"threads\":{Threads},\"s\":{wall:F3}");
        if (cpu is { } c0) line += string.Create(CultureInfo.InvariantCulture, $",\"cpu_s\":{c0:F3}");
        line += string.Create(CultureInfo.InvariantCulture, $",\"vs_saliency\":{seconds / SaliencySeconds:F2}");
        if (captum is { } c)
            line += string.Create(CultureInfo.InvariantCulture,
                $",\"captum_s\":{c:F3},\"vs_captum\":{seconds / c:F2},\"vs_captum_via_saliency\":{seconds / SaliencySeconds / (c / CaptumSaliencySeconds):F2}");
        Console.WriteLine(line + "}");
    }

    /// <summary>Median wall time and, on one thread, median thread-CPU time (which other processes' slices of a
    /// shared machine do not inflate) in seconds of <see cref="Repeats"/> runs after one warm-up.</summary>
    private (double Wall, double? Cpu) Median(Action action)
    {
        action();
        var wall = new double[Math.Max(1, Repeats)];
        var cpu = new double[wall.Length];
        bool measureCpu = Threads == 1 && ThreadCpuClock.IsSupported;
        for (int i = 0; i < wall.Length; i++)
        {
            double cpuStart = measureCpu ? ThreadCpuClock.Seconds() : 0;
            var watch = Stopwatch.StartNew();
            action();
            wall[i] = watch.Elapsed.TotalSeconds;
            cpu[i] = measureCpu ? ThreadCpuClock.Seconds() - cpuStart : 0;
        }
        Array.Sort(wall);
        Array.Sort(cpu);
        return (wall[wall.Length / 2], measureCpu ? cpu[cpu.Length / 2] : null);
    }
}
