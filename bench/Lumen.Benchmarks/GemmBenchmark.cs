using System.Diagnostics;
using System.Globalization;
using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>gemm</c>: square SGEMM C = A·B for each size and thread count, Lumen against OpenBLAS, one JSON line each:
/// <c>{"n":512,"threads":1,"gflops":…,"openblas_gflops":…,"ratio":…,"cpu_gflops":…,"openblas_cpu_gflops":…,"cpu_ratio":…}</c>
/// (ratio = Lumen / OpenBLAS; the <c>cpu_</c> fields only on single-threaded rows).
/// </summary>
/// <remarks>
/// GFLOP/s = 2mnk / best time. Each row alternates blocks of Lumen and OpenBLAS repetitions (about a quarter of a
/// second each, after warm-up) until each has had <c>--seconds</c> (default 2), so both see the same load on a shared
/// machine and the ratio compares like with like; after an OpenBLAS block of a multi-threaded row the benchmark
/// sleeps 0.3 s, because OpenBLAS's idle workers keep spinning for a while after each call and would take a core
/// from Lumen's threads. <c>gflops</c> uses wall time; on single-threaded rows <c>cpu_gflops</c> uses the thread's
/// CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), which does not count the slices other processes take and so
/// stays stable under load (meaningless for several threads, hence only on 1-thread rows).
/// Run OpenBLAS in its native configuration: <c>env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE dotnet run -c Release
/// --project bench/Lumen.Benchmarks -- gemm</c> (a forced core type such as Haswell can halve its speed).
/// <c>--shapes 64x3136x576:NN,64x576x3136:NT</c> replaces the square sizes with rectangular, transposed cases
/// (printed with m, n, k and trans).
/// </remarks>
internal static class GemmBenchmark
{
    /// <summary>Wall time of one alternation block per implementation.</summary>
    private static readonly TimeSpan BlockTime = TimeSpan.FromSeconds(0.25);

    public static int Run(string[] args)
    {
        int[] sizes = BenchmarkArguments.IntList(args, "--sizes", [256, 512, 1024, 2048]);
        int[] threadCounts = BenchmarkArguments.IntList(args, "--threads", [1, 2]);
        var budget = TimeSpan.FromSeconds(BenchmarkArguments.IntList(args, "--seconds", [2])[0]);
        var openBlas = OpenBlas.TryLoad(out var error);
        if (openBlas is null) Console.Error.WriteLine($"OpenBLAS unavailable, openblas_gflops will be null: {error}");
        else
        {
            Console.Error.WriteLine($"OpenBLAS core: {openBlas.CoreName ?? "(openblas_get_corename missing)"}; " +
                $"OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "(unset)"}");
        }
        Console.Error.WriteLine($"Lumen micro-kernel: {Gemm.BestPath}; load average: {LoadAverage()}");

        var cases = args.Contains("--shapes")
            ? ParseShapes(args[Array.IndexOf(args, "--shapes") + 1])
            : sizes.Select(n => new GemmCase(n, n, n, false, false, Square: true)).ToArray();
        foreach (var shape in cases)
        {
            foreach (int threads in threadCounts)
            {
                var (lumen, reference) = Measure(shape, threads, budget, openBlas);
                var ((m, n, k, transA, transB, square), cpu) = (shape, threads == 1 && ThreadCpuClock.IsSupported);
                string size = square ? $"\"n\":{n}" : $"\"m\":{m},\"n\":{n},\"k\":{k},\"trans\":\"{(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')}\"";
                double flops = 2.0 * m * n * k / 1e9;
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"{{{size},\"threads\":{threads},\"gflops\":{flops / lumen.Wall:F1},\"openblas_gflops\":{Json(flops / reference?.Wall, "F1")},\"ratio\":{Json(reference?.Wall / lumen.Wall, "F3")}");
                if (cpu)
                {
                    line += string.Create(CultureInfo.InvariantCulture,
                        $",\"cpu_gflops\":{flops / lumen.Cpu:F1},\"openblas_cpu_gflops\":{Json(flops / reference?.Cpu, "F1")},\"cpu_ratio\":{Json(reference?.Cpu / lumen.Cpu, "F3")}");
                }
                Console.WriteLine(line + "}");
            }
        }
        return 0;
    }

    /// <summary>Best wall and thread-CPU seconds of one product.</summary>
    private readonly record struct Timing(double Wall, double Cpu);

    /// <summary>Best times of Lumen and (when loaded) OpenBLAS on fresh random operands of <paramref name="shape"/>
    /// with <paramref name="threads"/> threads, in alternating blocks.</summary>
    private static (Timing Lumen, Timing? Reference) Measure(GemmCase shape, int threads, TimeSpan budget, OpenBlas? openBlas)
    {
        var rng = new Random(shape.M ^ (shape.N << 8) ^ (shape.K << 16));
        float[] a = RandomMatrix(rng, shape.M * shape.K), b = RandomMatrix(rng, shape.K * shape.N), c = new float[shape.M * shape.N];
        Parallelism.MaxDegree = threads;
        openBlas?.SetThreads(threads);
        var s = shape;
        Action lumen = () => Gemm.Multiply(a, b, c, s.M, s.N, s.K, s.TransA, s.TransB);
        Action? reference = openBlas is null ? null : () => openBlas.Multiply(a, b, c, s.M, s.N, s.K, s.TransA, s.TransB);
        var lumenBest = new Timing(double.MaxValue, double.MaxValue);
        var referenceBest = new Timing(double.MaxValue, double.MaxValue);
        TimeSpan lumenSpent = TimeSpan.Zero, referenceSpent = TimeSpan.Zero;
        for (int block = 0; lumenSpent < budget || (reference is not null && referenceSpent < budget); block++)
        {
            lumenSpent += RunBlock(lumen, warmUp: block == 0, ref lumenBest);
            if (reference is null) continue;
            referenceSpent += RunBlock(reference, warmUp: block == 0, ref referenceBest);
            if (threads > 1) Thread.Sleep(300);
        }
        return (lumenBest, reference is null ? null : referenceBest);
    }

    /// <summary>Runs <paramref name="action"/> for one block (at least 3 timed repetitions and <see cref="BlockTime"/>,
    /// after one untimed call, or a full block of untimed calls when <paramref name="warmUp"/>), folding its times into
    /// <paramref name="best"/>; returns the block's timed wall time.</summary>
    private static TimeSpan RunBlock(Action action, bool warmUp, ref Timing best)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 3 || (warmUp && clock.Elapsed < BlockTime); i++) action();
        clock.Restart();
        for (int i = 0; i < 3 || clock.Elapsed < BlockTime; i++)
        {
            double cpuStart = ThreadCpuClock.IsSupported ? ThreadCpuClock.Seconds() : 0;
            long start = Stopwatch.GetTimestamp();
            action();
            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double cpu = ThreadCpuClock.IsSupported ? ThreadCpuClock.Seconds() - cpuStart : double.MaxValue;
            best = new Timing(Math.Min(best.Wall, wall), Math.Min(best.Cpu, cpu));
        }
        return clock.Elapsed;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    /// <summary>One product C[m,n] = op(A)·op(B); <c>Square</c> rows print only n.</summary>
    private readonly record struct GemmCase(int M, int N, int K, bool TransA, bool TransB, bool Square);

    /// <summary>Parses <c>MxNxK[:TT]</c> items (T/N for transA, transB), comma-separated.</summary>
    private static GemmCase[] ParseShapes(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(item =>
    {
        var parts = item.Split(':');
        var dims = parts[0].Split('x').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (dims.Length != 3) throw new ArgumentException($"gemm --shapes: '{item}' is not MxNxK[:NN|NT|TN|TT].");
        string trans = parts.Length > 1 ? parts[1] : "NN";
        return new GemmCase(dims[0], dims[1], dims[2], trans[0] == 'T', trans[1] == 'T', Square: false);
    }).ToArray();

    private static float[] RandomMatrix(Random rng, int length)
    {
        var data = new float[length];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }

    private static string Json(double? value, string format) =>
        value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "null";
}
