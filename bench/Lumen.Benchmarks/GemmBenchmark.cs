using System.Diagnostics;
using System.Globalization;
using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>gemm</c>: square SGEMM C = A·B for each size and thread count, Lumen against OpenBLAS, one JSON line each:
/// <c>{"n":512,"threads":1,"gflops":…,"openblas_gflops":…,"ratio":…}</c> (ratio = Lumen / OpenBLAS).
/// </summary>
/// <remarks>
/// GFLOP/s = 2n³ / best time over alternating Lumen/OpenBLAS repetitions filling about two seconds per row,
/// after warm-up runs (best-of, because the machine may be shared). Run OpenBLAS in its
/// native configuration: <c>env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE dotnet run -c Release --project
/// bench/Lumen.Benchmarks -- gemm</c> (a forced core type such as Haswell can halve its speed).
/// <c>--thread-cpu-time</c> times single-threaded rows by the thread's CPU time instead of wall time, which keeps
/// them stable on a loaded, shared machine (multi-threaded rows always use wall time).
/// </remarks>
internal static class GemmBenchmark
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public static int Run(string[] args)
    {
        int[] sizes = BenchmarkArguments.IntList(args, "--sizes", [256, 512, 1024, 2048]);
        int[] threadCounts = BenchmarkArguments.IntList(args, "--threads", [1, 2]);
        bool threadCpuTime = args.Contains("--thread-cpu-time") && ThreadCpuClock.IsSupported;
        var openBlas = OpenBlas.TryLoad(out var error);
        if (openBlas is null) Console.Error.WriteLine($"OpenBLAS unavailable, openblas_gflops will be null: {error}");
        else
        {
            Console.Error.WriteLine($"OpenBLAS core: {openBlas.CoreName ?? "(openblas_get_corename missing)"}; " +
                $"OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "(unset)"}");
        }
        Console.Error.WriteLine($"Lumen micro-kernel: {Gemm.BestPath}; load average: {LoadAverage()}");

        foreach (int n in sizes)
        {
            var rng = new Random(n);
            float[] a = RandomMatrix(rng, n), b = RandomMatrix(rng, n), c = new float[n * n];
            foreach (int threads in threadCounts)
            {
                Parallelism.MaxDegree = threads;
                openBlas?.SetThreads(threads);
                var (lumen, reference) = MeasureInterleaved(n,
                    () => Gemm.Multiply(a, b, c, n, n, n),
                    openBlas is null ? null : () => openBlas.Multiply(a, b, c, n, n, n), threadCpuTime && threads == 1);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"n\":{n},\"threads\":{threads},\"gflops\":{lumen:F1},\"openblas_gflops\":{Json(reference, "F1")},\"ratio\":{Json(lumen / reference, "F3")}}}"));
            }
        }
        return 0;
    }

    /// <summary>Best GFLOP/s of <paramref name="lumen"/> and <paramref name="reference"/>, timed alternately (so that
    /// both see the same machine load) over rounds filling the budget, after warm-up runs that also let the JIT
    /// reach its final tier.</summary>
    private static (double Lumen, double? Reference) MeasureInterleaved(int n, Action lumen, Action? reference, bool threadCpuTime)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed < Budget / 4; i++)
        {
            lumen();
            reference?.Invoke();
        }
        double bestLumen = double.MaxValue, bestReference = double.MaxValue;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < 5 || total.Elapsed < Budget; i++)
        {
            bestLumen = Math.Min(bestLumen, Time(lumen, threadCpuTime));
            if (reference is not null) bestReference = Math.Min(bestReference, Time(reference, threadCpuTime));
        }
        double flops = 2.0 * n * n * n;
        return (flops / bestLumen / 1e9, reference is null ? null : flops / bestReference / 1e9);
    }

    private static double Time(Action action, bool threadCpuTime)
    {
        if (threadCpuTime)
        {
            double cpuStart = ThreadCpuClock.Seconds();
            action();
            return ThreadCpuClock.Seconds() - cpuStart;
        }
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    private static float[] RandomMatrix(Random rng, int n)
    {
        var data = new float[n * n];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }

    private static string Json(double? value, string format) =>
        value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "null";
}
