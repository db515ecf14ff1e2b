using System.Diagnostics;
using System.Globalization;
using Lumen.Mechanistic.Sae;
using Lumen.Mechanistic;
using Lumen.NN.Models.Llama;
using Lumen.Tensors.Autograd;
using Lumen.Tensors;
using Lumen.Zoo;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>lm [--model stories260K.bin] [--threads 1,2] [--tokens 200] [--repeats 3]</c>: on a llama2.c model (default: the
/// shared stories260K), greedy generation tokens/s with the KV cache and without it (full re-run per token), forward
/// and run-with-cache (every hook recorded) tokens/s on a 256-token sequence, and sparse-autoencoder training steps/s
/// (64 → 256 features, batch 256, top-16 and ReLU+L1). Wall-clock best of the repeats, plus thread CPU seconds for
/// one-thread rows; each line carries the load average at its start.
/// </summary>
public static class LmBenchmark
{
    public static int Run(string[] args)
    {
        int at = Array.IndexOf(args, "--model");
        string path = at >= 0 && at + 1 < args.Length ? args[at + 1] : SharedFolder.Find("models/lm/stories260K/stories260K.bin")
            ?? throw new FileNotFoundException("lm: give --model; ../shared/models/lm/stories260K/stories260K.bin was not found.");
        int tokens = BenchmarkArguments.IntList(args, "--tokens", [200])[0], repeats = BenchmarkArguments.IntList(args, "--repeats", [3])[0];
        var model = LlamaCheckpoint.LoadLlama2c(path);
        var generator = new LlamaGenerator(model);
        var sequence = generator.Generate([LlamaTokenizer.Bos], new GenerationOptions { MaxNewTokens = 255, StopTokens = [] }).Prepend(LlamaTokenizer.Bos).ToArray();
        var input = TokenSequence.ToTensor(sequence);
        var activations = Tensor.Randn(new Shape(4096, model.Config.Dim), seed: 3);
        foreach (int threads in BenchmarkArguments.IntList(args, "--threads", [1, 2]))
        {
            Parallelism.MaxDegree = threads;
            foreach (bool cached in new[] { true, false })
            {
                int count = cached ? tokens : Math.Min(tokens, 100);
                var options = new GenerationOptions { MaxNewTokens = count, StopTokens = [], UseKvCache = cached };
                var (wall, cpu) = Measure(repeats, () => generator.Generate([LlamaTokenizer.Bos], options));
                Emit("generate", threads, $"\"kvCache\":{(cached ? "true" : "false")},\"tokens\":{count},\"seconds\":{wall:F4},\"tokensPerSecond\":{count / wall:F1}{Cpu(threads, cpu, count, "cpuTokensPerSecond")}");
            }
            var (forward, forwardCpu) = Measure(repeats, () => { using (GradMode.Off()) model.Call(input); });
            Emit("forward", threads, $"\"tokens\":{sequence.Length},\"seconds\":{forward:F4},\"tokensPerSecond\":{sequence.Length / forward:F1}{Cpu(threads, forwardCpu, sequence.Length, "cpuTokensPerSecond")}");
            var (cache, cacheCpu) = Measure(repeats, () => { using (GradMode.Off()) model.RunWithCache(input, detach: true); });
            Emit("run-with-cache", threads, $"\"tokens\":{sequence.Length},\"hooks\":\"all\",\"seconds\":{cache:F4},\"tokensPerSecond\":{sequence.Length / cache:F1}{Cpu(threads, cacheCpu, sequence.Length, "cpuTokensPerSecond")},\"overVsForward\":{cache / forward:F3}");
            foreach (var activation in new[] { SaeActivation.TopK, SaeActivation.Relu })
            {
                const int steps = 200;
                var options = new SaeOptions { Features = 256, Activation = activation, K = 16, Steps = steps, BatchSize = 256 };
                var (wall, cpu) = Measure(Math.Min(repeats, 2), () => new SaeTrainer(options).Fit(activations));
                Emit("sae-train", threads, $"\"activation\":\"{activation}\",\"features\":256,\"batch\":256,\"steps\":{steps},\"seconds\":{wall:F4},\"stepsPerSecond\":{steps / wall:F1}{Cpu(threads, cpu, steps, "cpuStepsPerSecond")}");
            }
        }
        return 0;
    }

    private static (double Wall, double Cpu) Measure(int repeats, Action action)
    {
        action(); // warm-up (JIT, caches)
        double best = double.MaxValue, bestCpu = double.MaxValue;
        for (int r = 0; r < Math.Max(1, repeats); r++)
        {
            double cpu0 = ThreadCpuClock.IsSupported ? ThreadCpuClock.Seconds() : 0;
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
            if (ThreadCpuClock.IsSupported) bestCpu = Math.Min(bestCpu, ThreadCpuClock.Seconds() - cpu0);
        }
        return (best, ThreadCpuClock.IsSupported ? bestCpu : double.NaN);
    }

    private static string Cpu(int threads, double cpu, int count, string name) =>
        threads == 1 && double.IsFinite(cpu) ? string.Create(CultureInfo.InvariantCulture, $",\"cpuSeconds\":{cpu:F4},\"{name}\":{count / cpu:F1}") : "";

    private static void Emit(string measurement, int threads, string fields)
    {
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "null";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"bench\":\"lm\",\"measurement\":\"{measurement}\",\"threads\":{threads},{fields},\"loadavg\":{load}}}"));
    }
}
