namespace Lumen.Benchmarks;

/// <summary>Benchmark dispatcher: <c>dotnet run -c Release --project bench/Lumen.Benchmarks -- &lt;command&gt; [options]</c>.
/// Each command lives in its own file and prints one JSON line per measurement on stdout.</summary>
public static class Program
{
    private static readonly Dictionary<string, (string Help, Func<string[], int> Run)> Commands = new()
    {
        ["gemm"] = ("SGEMM GFLOP/s of Lumen vs OpenBLAS: gemm [--sizes 256,512,1024,2048] [--threads 1,2] [--shapes MxNxK:NT,…] [--seconds 2]", GemmBenchmark.Run),
        ["elementwise"] = ("Unary kernels, reductions and softmax vs naive twins/composites: elementwise [--size 4194304] [--threads 1]", ElementwiseBenchmark.Run),
        ["conv"] = ("Conv2d forward and forward+backward ms and GFLOP/s vs the GEMM roofline: conv [--threads 1,2] [--cases resnet3x3,…]", ConvBenchmark.Run),
        ["depthwise"] = ("Depthwise 3×3 kernels on MobileNetV2's layers, GFLOP/s on thread CPU time: depthwise [--batch 1,16] [--cases 96x112s2,…] [--passes forward,input_grad,weight_grad] [--threads 1] [--seconds 0.3]", DepthwiseBenchmark.Run),
        ["metrics"] = ("Deletion/insertion curve time vs the bare forward passes they need: metrics [--model mobilenetv2] [--steps 224] [--batch 16] [--threads N]", MetricsBenchmark.Run),
        ["metric-batching"] = ("Forward calls and rows per call of every catalog metric on a small conv net, then the CPU time of the re-explaining robustness metrics with one Explain call per draw vs batched: metric-batching [--samples 2] [--side 32]", MetricBatchingBenchmark.Run),
        ["propagation"] = ("Seconds of LRP (EpsilonPlusFlat), DeepLift and guided backprop on MobileNetV2 224 vs Saliency and Captum: propagation [--threads 2] [--repeats 3]", PropagationBenchmark.Run),
        ["lm"] = ("stories260K: generation tokens/s (KV cache vs re-run), forward and run-with-cache tokens/s, SAE training steps/s: lm [--model FILE.bin] [--threads 1,2] [--tokens 200] [--repeats 3]", LmBenchmark.Run),
        ["analysis"] = ("Activation recording (stats + top-k) and cache-all images/s vs the plain forward on MobileNetV2: analysis [--batch 8] [--batches 2] [--layers 4] [--repeats 3] [--threads 1]", AnalysisBenchmark.Run),
        ["attribution"] = ("Seconds of IG (50 steps), SmoothGrad (10 and 50 samples), GradientShap (5), Grad-CAM and LRP on MobileNetV2 224 vs Saliency and Captum: attribution [--threads 2] [--repeats 3]", AttributionBenchmark.Run),
        ["perturbation"] = ("Seconds of Occlusion (full and incremental), FeatureAblation and KernelShap on MobileNetV2 224 vs Captum: perturbation [--threads 2] [--batch 16] [--repeats 3] [--cases occlusion_incremental,…]", PerturbationBenchmark.Run),
        ["layers"] = ("Each convolution of an ONNX model alone, µs and GFLOP/s, optionally against ONNX Runtime's per-node times: layers MODEL.onnx [--batch 1] [--threads 1] [--ort ort-layers.jsonl]", LayersBenchmark.Run),
        ["blocked"] = ("The channel-blocked kernels of this machine (NCHW16c or NCHW8c) on MobileNetV2's chain, µs and GFLOP/s on thread CPU time: blocked [--cases pw16x96@112,…] [--threads 1] [--seconds 0.3]", BlockedBenchmark.Run),
        ["movement"] = ("GB/s of Permute/Slice/Concat/Pad/Flip vs naive copy and memcpy: movement [--threads 1,2]", MovementBenchmark.Run),
    };

    public static int Main(string[] args)
    {
        if (args.Length > 0 && Commands.TryGetValue(args[0], out var command)) return command.Run(args[1..]);
        Console.Error.WriteLine("usage: Lumen.Benchmarks <command> [options]");
        foreach (var (name, (help, _)) in Commands) Console.Error.WriteLine($"  {name,-8} {help}");
        return args.Length == 0 ? 0 : 2;
    }
}
