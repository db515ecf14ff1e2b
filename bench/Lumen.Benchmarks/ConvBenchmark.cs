using System.Diagnostics;
using System.Globalization;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>conv</c>: Conv2d forward and forward+backward (input and weight gradients) through the public Tensor API, one
/// JSON line per case, pass and thread count:
/// <c>{"case":"resnet3x3","pass":"forward","threads":2,"ms":…,"gflops":…,"gemm_gflops":…,"torch_ms":…}</c>.
/// </summary>
/// <remarks>
/// GFLOP/s counts 2·N·O·OH·OW·(C/groups)·kh·kw per pass (three passes for forward+backward). <c>gemm_gflops</c> is
/// the roofline: the raw <see cref="Gemm"/> speed on one image's equivalent product [O, K]·[K, OH·OW], repeated for
/// the batch (null for depthwise cases, which do not use GEMM). <c>torch_ms</c> is PyTorch's time for the same pass,
/// measured in the same run when a local Python imports torch (<see cref="TorchReference"/>), else null. Time is the best of repetitions filling about a
/// second, after warm-up. Cases: resnet3x3 (16×64×56×56, 3×3, pad 1), resnet3x3_b1 (batch 1),
/// mbv2_depthwise (1×144×56×56, 3×3 depthwise), mbv2_pointwise (1×144×56×56 → 24, 1×1),
/// squeeze_expand3x3 (1×16×55×55 → 64, 3×3 pad 1).
/// </remarks>
internal static class ConvBenchmark
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    private sealed record Case(string Name, int N, int C, int H, int W, int O, int K, int Stride, int Pad, int Groups);

    private static readonly Case[] Cases =
    [
        new("resnet3x3", 16, 64, 56, 56, 64, 3, 1, 1, 1),
        new("resnet3x3_b1", 1, 64, 56, 56, 64, 3, 1, 1, 1),
        new("mbv2_depthwise", 1, 144, 56, 56, 144, 3, 1, 1, 144),
        new("mbv2_pointwise", 1, 144, 56, 56, 24, 1, 1, 0, 1),
        new("squeeze_expand3x3", 1, 16, 55, 55, 64, 3, 1, 1, 1),
    ];

    public static int Run(string[] args)
    {
        int[] threadCounts = BenchmarkArguments.IntList(args, "--threads", [1, 2]);
        int at = Array.IndexOf(args, "--cases");
        var names = at >= 0 && at + 1 < args.Length ? args[at + 1].Split(',') : Cases.Select(c => c.Name).ToArray();
        if (File.Exists("/proc/loadavg"))
            Console.Error.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} cores (timings of long passes suffer most from a loaded machine)");
        var torch = TorchReference.TryCreate();
        foreach (var c in Cases.Where(c => names.Contains(c.Name)))
        {
            var x = Tensor.Randn(new Shape(c.N, c.C, c.H, c.W), 1);
            var w = Tensor.Randn(new Shape(c.O, c.C / c.Groups, c.K, c.K), 2);
            var xg = x.Clone().RequireGrad();
            var wg = w.Clone().RequireGrad();
            var y = x.Conv2d(w, null, c.Stride, c.Pad, 1, c.Groups);
            var seed = Tensor.Ones(y.Shape);
            double flops = 2.0 * c.N * c.O * y.Shape[2] * y.Shape[3] * (c.C / c.Groups) * c.K * c.K;
            foreach (int threads in threadCounts)
            {
                Parallelism.MaxDegree = threads;
                double? roofline = c.Groups == 1 ? GemmRoofline(c.O, c.C * c.K * c.K, y.Shape[2] * y.Shape[3]) : null;
                var reference = torch?.Measure(c.N, c.C, c.H, c.W, c.O, c.K, c.Stride, c.Pad, c.Groups, threads);
                double forward = Measure(() => x.Conv2d(w, null, c.Stride, c.Pad, 1, c.Groups));
                Report(c.Name, "forward", threads, forward, flops, roofline, reference?.Forward);
                double both = Measure(() =>
                {
                    var output = xg.Conv2d(wg, null, c.Stride, c.Pad, 1, c.Groups);
                    Gradients.Of([output], [xg, wg], [seed]);
                });
                Report(c.Name, "forward+backward", threads, both, 3 * flops, roofline, reference?.Both);
            }
        }
        return 0;
    }

    private static void Report(string name, string pass, int threads, double seconds, double flops, double? roofline, double? torchMs) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"case\":\"{name}\",\"pass\":\"{pass}\",\"threads\":{threads},\"ms\":{seconds * 1e3:F2},\"gflops\":{flops / seconds / 1e9:F1},\"gemm_gflops\":{Json(roofline, "F1")},\"torch_ms\":{Json(torchMs, "F2")}}}"));

    private static string Json(double? value, string format) =>
        value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "null";

    /// <summary>GFLOP/s of the bare GEMM [m, k]·[k, n] (one image's forward product).</summary>
    private static double GemmRoofline(int m, int k, int n)
    {
        var a = Tensor.Randn(new Shape(m, k), 3).ToArray();
        var b = Tensor.Randn(new Shape(k, n), 4).ToArray();
        var c = new float[m * n];
        return 2.0 * m * n * k / Measure(() => Gemm.Multiply(a, b, c, m, n, k)) / 1e9;
    }

    /// <summary>Best seconds of <paramref name="action"/> after warm-up.</summary>
    private static double Measure(Action action)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 2 || warmUp.Elapsed < Budget / 4; i++) action();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < 3 || total.Elapsed < Budget; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }
}
