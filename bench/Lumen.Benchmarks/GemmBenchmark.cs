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
/// GFLOP/s = 2n³ / best time over repetitions filling about half a second, after warm-up runs. Run OpenBLAS in its
/// native configuration: <c>env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE dotnet run -c Release --project
/// bench/Lumen.Benchmarks -- gemm</c> (a forced core type such as Haswell can halve its speed).
/// </remarks>
internal static class GemmBenchmark
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(0.5);

    public static int Run(string[] args)
    {
        int[] sizes = BenchmarkArguments.IntList(args, "--sizes", [256, 512, 1024, 2048]);
        int[] threadCounts = BenchmarkArguments.IntList(args, "--threads", [1, 2]);
        var openBlas = OpenBlas.TryLoad(out var error);
        if (openBlas is null) Console.Error.WriteLine($"OpenBLAS unavailable, openblas_gflops will be null: {error}");
        else
        {
            Console.Error.WriteLine($"OpenBLAS core: {openBlas.CoreName ?? "(openblas_get_corename missing)"}; " +
                $"OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "(unset)"}");
        }
        Console.Error.WriteLine($"Lumen micro-kernel: {Gemm.BestPath}");

        foreach (int n in sizes)
        {
            var rng = new Random(n);
            float[] a = RandomMatrix(rng, n), b = RandomMatrix(rng, n), c = new float[n * n];
            foreach (int threads in threadCounts)
            {
                Parallelism.MaxDegree = threads;
                double lumen = Measure(n, () => Gemm.Multiply(a, b, c, n, n, n));
                double? reference = null;
                if (openBlas is not null)
                {
                    openBlas.SetThreads(threads);
                    reference = Measure(n, () => openBlas.Multiply(a, b, c, n, n, n));
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"n\":{n},\"threads\":{threads},\"gflops\":{lumen:F1},\"openblas_gflops\":{Json(reference, "F1")},\"ratio\":{Json(lumen / reference, "F3")}}}"));
            }
        }
        return 0;
    }

    /// <summary>Best GFLOP/s of <paramref name="multiply"/> after warm-up (which also lets the JIT reach tier 1).</summary>
    private static double Measure(int n, Action multiply)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed < Budget / 4; i++) multiply();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < 5 || total.Elapsed < Budget; i++)
        {
            long start = Stopwatch.GetTimestamp();
            multiply();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    private static float[] RandomMatrix(Random rng, int n)
    {
        var data = new float[n * n];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }

    private static string Json(double? value, string format) =>
        value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "null";
}
