using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Cli;

/// <summary><c>lumen bench MODEL --batch 1 16 --iterations 5 [--warmup S] [--threads T] [--profile [N]]</c>: median forward
/// time (no autograd) on seeded random inputs of the model's input shape with the batch dimension replaced, after
/// untimed passes for at least <c>--warmup</c> seconds and until the JIT falls silent (<see cref="WarmUp"/>); prints one
/// JSON line per batch size, with the warm-up's seconds (and, with <c>--profile</c>, each batch's node profile to
/// standard error).</summary>
/// <remarks>The warm-up lets tiered compilation settle before the timed passes: a method is compiled quickly first,
/// then again with the profile of its first calls (dynamic PGO), in the background. After one untimed pass,
/// SqueezeNet's median over 200 passes on two threads was 3.94–4.01 ms, over 1000 passes 3.70–3.77. ONNX Runtime,
/// compiled ahead of time, needs one pass. <c>--warmup 0</c> runs a single untimed pass.</remarks>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "The .onnx file (one float input [N, …])." };
        var batches = new Option<int[]>("--batch") { Description = "Batch sizes.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1] };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs per batch size (after the warm-up).", DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of untimed runs at least before the timed ones, then more until the JIT has compiled nothing for half a second (at most 30 s); 0: one run.", DefaultValueFactory = _ => 1.0 };
        var profile = new Option<int?>("--profile") { Description = "Also print where the timed runs spent their time: per op type and the N slowest nodes (default 20).", Arity = ArgumentArity.ZeroOrOne };
        var threads = new Option<int?>("--threads") { Description = "Worker threads for the tensor kernels (default: all cores)." };
        var command = new Command("bench", "Time a model's forward pass on random inputs.") { model, batches, iterations, warmup, threads, profile };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(batches) ?? [1], Math.Max(1, parse.GetValue(iterations)), parse.GetValue(warmup),
            parse.GetValue(threads), parse.GetResult(profile) is null ? null : parse.GetValue(profile) ?? 20));
        return command;
    }

    private static int Run(FileInfo file, int[] batches, int iterations, double warmup, int? threads, int? profile)
    {
        if (!(warmup >= 0) || double.IsInfinity(warmup))
        {
            Console.Error.WriteLine($"error: --warmup is a number of seconds, at least 0; got {warmup}.");
            return 1;
        }
        if (profile is < 1)
        {
            Console.Error.WriteLine($"error: --profile N lists the N slowest nodes; N must be at least 1, got {profile}.");
            return 1;
        }
        if (threads is < 1)
        {
            Console.Error.WriteLine($"error: --threads must be at least 1, got {threads}.");
            return 1;
        }
        if (threads is int t) Parallelism.MaxDegree = t;
        try
        {
            var module = OnnxModel.Load(file.FullName);
            var info = module.Model.Inputs[0];
            if (module.Model.Inputs.Count != 1 || info.Dims is null || info.Storage != DType.Float32)
                throw new OnnxException($"{file.FullName}: bench needs a model with one float input of known rank.");
            foreach (var batch in batches)
            {
                var dims = info.Dims.Select((d, i) => i == 0 ? batch : int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
                var x = Tensor.Rand(new Shape(dims), seed: 1);
                var times = new List<double>();
                double warmedFor;
                using (GradMode.Off())
                {
                    warmedFor = WarmUp(() => module.Call(x), warmup);
                    module.Timings = profile is null ? null : module.CreateTimings();
                    for (int i = 0; i < iterations; i++)
                    {
                        var watch = Stopwatch.StartNew();
                        module.Call(x);
                        times.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }
                times.Sort();
                if (module.Timings is { } timings) Console.Error.Write(timings.Report(profile!.Value));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"engine\":\"lumen\",\"model\":\"{Path.GetFileNameWithoutExtension(file.Name)}\",\"batch\":{batch},\"threads\":{Parallelism.MaxDegree},\"median_ms\":{times[times.Count / 2]:F2},\"min_ms\":{times[0]:F2},\"warmup_s\":{warmedFor:F1}}}"));
            }
            return 0;
        }
        catch (Exception e) when (e is OnnxException or FormatException or IOException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    /// <summary>Seconds of silence from the JIT that end a warm-up (see <see cref="WarmUp"/>).</summary>
    private const double QuietSeconds = 0.5;

    /// <summary>The longest a warm-up waits for the JIT to fall silent.</summary>
    private const double MaxWarmupSeconds = 30;

    /// <summary>Runs <paramref name="pass"/> untimed for at least <paramref name="seconds"/> (one pass at least) and then,
    /// unless <paramref name="seconds"/> is 0, until the JIT has compiled no method for <see cref="QuietSeconds"/>
    /// (<see cref="System.Runtime.JitInfo.GetCompiledMethodCount"/>), at most <see cref="MaxWarmupSeconds"/> in all.
    /// Returns the seconds it took. Tiered compilation recompiles hot methods with their profile in the background, in
    /// batches, for a second or two: SqueezeNet's last compilations at batch 1 came at 1.5 s (pass 203), and passes
    /// before them ran up to 10 % slower than after.</summary>
    private static double WarmUp(Action pass, double seconds)
    {
        var clock = Stopwatch.StartNew();
        var quiet = Stopwatch.StartNew();
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        do
        {
            pass();
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == compiled) continue;
            compiled = now;
            quiet.Restart();
        }
        while (clock.Elapsed.TotalSeconds < seconds
               || (seconds > 0 && quiet.Elapsed.TotalSeconds < QuietSeconds && clock.Elapsed.TotalSeconds < MaxWarmupSeconds));
        return clock.Elapsed.TotalSeconds;
    }
}
