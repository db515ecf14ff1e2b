using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>layers</c>: the time of each convolution of an ONNX model on its real input (captured from one forward pass),
/// called alone through its node module, outputs recycled through a <see cref="StoragePool"/> as in inference, one
/// JSON line per Conv node: <c>{"engine":"lumen","threads":1,"input":[…],"weight":[…],"output":[…],"us":…,"gflops":…}</c>.
/// With <c>--ort FILE</c> (the lines of <c>bench/onnx/ort-layers.mjs</c>, same model, batch and threads) it also
/// prints a table of Lumen / ONNX Runtime per layer, matched by input and weight shape in execution order.
/// </summary>
/// <remarks>Lumen's time is the convolution (with bias) alone; ONNX Runtime fuses the activation after it (and
/// residual Adds) into its Conv node, so its per-layer figure includes them. Every layer is first warmed for 20 ms, then timed for 60 ms (the median call).</remarks>
internal static class LayersBenchmark
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("usage: layers MODEL.onnx [--batch 1] [--threads 1] [--ort ort-layers.jsonl]");
            return 2;
        }
        int batch = BenchmarkArguments.IntList(args, "--batch", [1])[0];
        Parallelism.MaxDegree = BenchmarkArguments.IntList(args, "--threads", [1])[0];
        string? ortFile = BenchmarkArguments.StringList(args, "--ort", []).FirstOrDefault();
        var module = OnnxModel.Load(args[0]);
        var dims = module.Model.Inputs[0].Dims!.Select((d, i) => i == 0 ? batch : int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var layers = Capture(module, Tensor.Rand(new Shape(dims), seed: 1));
        var rows = new List<(int[] Input, int[] Weight, int[] Output, double Us)>();
        var pool = new StoragePool();
        // one pass to warm every layer (tiered JIT, pool), then the measured pass
        foreach (var (conv, inputs, _) in layers) Time(conv, inputs, pool, TimeSpan.FromMilliseconds(20));
        foreach (var (conv, inputs, output) in layers)
        {
            double us = Time(conv, inputs, pool, TimeSpan.FromMilliseconds(60)), flops = 2.0 * output.Size * (inputs[1].Size / inputs[1].Shape[0]);
            rows.Add((inputs[0].Shape.Dims.ToArray(), inputs[1].Shape.Dims.ToArray(), output.Dims.ToArray(), us));
            Console.WriteLine(JsonSerializer.Serialize(new { engine = "lumen", threads = Parallelism.MaxDegree, input = rows[^1].Input, weight = rows[^1].Weight, output = rows[^1].Output, us = Math.Round(us, 1), gflops = Math.Round(flops / us / 1e3, 1) }));
        }
        if (ortFile is not null) Compare(rows, File.ReadAllLines(ortFile));
        return 0;
    }

    /// <summary>Median µs of calls of <paramref name="conv"/> repeated for about <paramref name="budget"/> (at least 10),
    /// its outputs recycled into <paramref name="pool"/>.</summary>
    private static double Time(Lumen.NN.Module conv, Tensor[] inputs, StoragePool pool, TimeSpan budget)
    {
        using var scope = pool.Enter();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 10 || total.Elapsed < budget)
        {
            var watch = Stopwatch.StartNew();
            using (GradMode.Off()) conv.Call(inputs);
            scope.RecycleAll();   // the outputs go back to the pool for the next call
            times.Add(watch.Elapsed.TotalMicroseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Each Conv node module with the inputs it received (and its output shape) in one forward pass.</summary>
    private static List<(Lumen.NN.Module Conv, Tensor[] Inputs, Shape Output)> Capture(GraphModule module, Tensor x)
    {
        var layers = new List<(Lumen.NN.Module, Tensor[], Shape)>();
        var handles = new List<IDisposable>();
        foreach (var (name, child) in module.Children)
        {
            if (!child.ToString()!.Contains("(Conv,", StringComparison.Ordinal)) continue;
            handles.Add(module.Hooks.OnForward(name, (y, context) => layers.Add((child, [.. context.Inputs.Select(t => t.Clone())], y.Shape))));
        }
        using (GradMode.Off()) module.Call(x);
        foreach (var handle in handles) handle.Dispose();
        return layers;
    }

    private static void Compare(List<(int[] Input, int[] Weight, int[] Output, double Us)> rows, string[] ortLines)
    {
        var ort = ortLines.Where(l => l.TrimStart().StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => !e.TryGetProperty("op", out var op) || op.GetString() == "Conv")            // ORT_OPS=all lists every node
            .Select(e => (Key: Key(Ints(e, "input"), Ints(e, "weight")), Us: e.GetProperty("us").GetDouble())).ToList();
        double lumenTotal = 0, ortTotal = 0;
        Console.WriteLine($"{"lumen µs",9} {"ort µs",8} {"ratio",6}  layer (input → output, weight)");
        foreach (var (input, weight, output, us) in rows)
        {
            int match = ort.FindIndex(o => o.Key == Key(input, weight));
            string layer = $"[{string.Join(",", input)}] → [{string.Join(",", output)}], w[{string.Join(",", weight)}]";
            if (match < 0) { Console.WriteLine($"{us,9:F0} {"—",8} {"",6}  {layer}"); continue; }
            double reference = ort[match].Us;
            ort.RemoveAt(match);
            lumenTotal += us;
            ortTotal += reference;
            Console.WriteLine($"{us,9:F0} {reference,8:F0} {us / reference,5:F2}×  {layer}");
        }
        Console.WriteLine($"{lumenTotal,9:F0} {ortTotal,8:F0} {lumenTotal / Math.Max(ortTotal, 1e-9),5:F2}×  all matched convolutions");
    }

    private static int[] Ints(JsonElement e, string name) => [.. e.GetProperty(name).EnumerateArray().Select(v => v.GetInt32())];

    private static string Key(int[] input, int[] weight) => string.Join(",", input) + "|" + string.Join(",", weight);
}
