using System.Globalization;
using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>depthwise</c>: the depthwise convolution kernels on every distinct 3×3 depthwise layer of MobileNetV2 (224×224
/// input), called directly (no autograd, no allocation per call), one JSON line per layer, batch and pass:
/// <c>{"case":"96x112s2","batch":1,"pass":"forward","ms":…,"gflops":…}</c>.
/// </summary>
/// <remarks>
/// Passes: <c>forward</c> with MobileNetV2's fused epilogue (bias, then ReLU6), <c>input_grad</c> and
/// <c>weight_grad</c>; <c>masked_input_grad</c> and <c>mask_then_input_grad</c> take the input gradient for a ReLU6
/// mask ⊙ dy, applied as the kernel loads dy where it can (<see cref="Conv2dKernel.FusesMask"/>), or by a separate
/// pass first. GFLOP/s counts 2·N·C·OH·OW·9 per pass. Single-threaded by default, timed on the calling
/// thread's CPU clock (<see cref="ThreadCpuClock"/>, so a shared machine disturbs it little): the best of
/// repetitions filling about <c>--seconds</c> per case, after warm-up.
/// </remarks>
internal static class DepthwiseBenchmark
{
    private sealed record Case(int C, int H, int Stride)
    {
        public string Name => $"{C}x{H}s{Stride}";
    }

    // MobileNetV2's depthwise layers: channels, input side, stride (all 3×3, padding 1)
    private static readonly Case[] Cases =
    [
        new(32, 112, 1), new(96, 112, 2), new(144, 56, 1), new(144, 56, 2), new(192, 28, 1), new(192, 28, 2),
        new(384, 14, 1), new(576, 14, 1), new(576, 14, 2), new(960, 7, 1),
    ];

    public static int Run(string[] args)
    {
        int[] batches = BenchmarkArguments.IntList(args, "--batch", [1, 16]);
        int at = Array.IndexOf(args, "--seconds");
        double seconds = at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : 0.3;
        var passes = BenchmarkArguments.StringList(args, "--passes", ["forward", "input_grad", "weight_grad"]);
        var names = BenchmarkArguments.StringList(args, "--cases", Cases.Select(c => c.Name).ToArray());
        int saved = Parallelism.MaxDegree;
        Parallelism.MaxDegree = BenchmarkArguments.IntList(args, "--threads", [1])[0];
        if (File.Exists("/proc/loadavg"))
            Console.Error.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} cores");
        try
        {
            foreach (int n in batches)
                foreach (var c in Cases.Where(c => names.Contains(c.Name)))
                {
                    var g = new ConvGeometry(n, c.C, c.H, c.H, c.C, 3, 3, c.Stride, c.Stride, 1, 1, 1, 1, 1, 1, c.C);
                    var x = Tensor.Randn(new Shape(n, c.C, c.H, c.H), 1).ToArray();
                    var w = Tensor.Randn(new Shape(c.C, 1, 3, 3), 2).ToArray();
                    var bias = Tensor.Randn(new Shape(c.C), 3).ToArray();
                    var dy = Tensor.Randn(new Shape(n, c.C, g.OutHeight, g.OutWidth), 4).ToArray();
                    var y = new float[dy.Length];
                    var dx = new float[x.Length];
                    var dw = new float[w.Length];
                    var epilogue = new ConvEpilogue(bias, ConvActivation.Clamp(0f, 6f));
                    // the ReLU6 output whose mask the masked input gradients apply (about a third of it on a bound)
                    var activated = Tensor.Randn(new Shape(n, c.C, g.OutHeight, g.OutWidth), 5).ToArray().Select(v => Math.Clamp(4 * v + 2, 0f, 6f)).ToArray();
                    var mask = ActivationMask.Clamp(activated, c.C, g.OutPlane, 0f, 6f);
                    var masked = new float[dy.Length];
                    double flops = 2.0 * g.MultiplyAdds;
                    foreach (var pass in passes)
                    {
                        Action action = pass switch
                        {
                            "forward" => () => ConvDepthwise.Forward(x, w, y, g, epilogue),
                            "input_grad" => () => ConvDepthwise.BackwardInput(dy, w, dx, g),
                            "weight_grad" => () => ConvDepthwise.BackwardWeight(dy, x, dw, g),
                            "masked_input_grad" when Conv2dKernel.FusesMask(g) => () => Conv2dKernel.BackwardInput(dy, w, dx, g, mask),
                            "masked_input_grad" or "mask_then_input_grad" => () => ConvDepthwise.BackwardInput(Masked(mask, dy, masked), w, dx, g),
                            _ => throw new ArgumentException($"Unknown pass '{pass}': expected forward, input_grad, weight_grad, masked_input_grad or mask_then_input_grad."),
                        };
                        double best = Measure(action, seconds);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{{\"case\":\"{c.Name}\",\"batch\":{n},\"pass\":\"{pass}\",\"ms\":{best * 1e3:F4},\"gflops\":{flops / best / 1e9:F2}}}"));
                    }
                }
        }
        finally { Parallelism.MaxDegree = saved; }
        return 0;
    }

    // the separate mask pass of an unfused input gradient: masked = mask ⊙ dy
    private static float[] Masked(ActivationMask mask, float[] dy, float[] masked)
    {
        mask.Apply(dy, masked);
        return masked;
    }

    /// <summary>Best seconds (thread CPU time where supported, else wall) of one call, after warm-up.</summary>
    internal static double Measure(Action action, double seconds)
    {
        Func<double> clock = ThreadCpuClock.IsSupported ? ThreadCpuClock.Seconds : () => System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency;
        for (int i = 0; i < 3; i++) action();
        double best = double.MaxValue, begin = clock();
        for (int i = 0; i < 5 || clock() - begin < seconds; i++)
        {
            double start = clock();
            action();
            best = Math.Min(best, clock() - start);
        }
        return best;
    }
}
