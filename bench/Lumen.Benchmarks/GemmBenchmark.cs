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
/// GFLOP/s = 2mnk / best time over repetitions filling <c>--seconds</c> (default 2) per row after warm-up runs
/// (best-of, because the machine may be shared); all Lumen rows run first, then all OpenBLAS rows. Run OpenBLAS in
/// its native configuration: <c>env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE dotnet run -c Release --project
/// bench/Lumen.Benchmarks -- gemm</c> (a forced core type such as Haswell can halve its speed).
/// <c>--shapes 64x3136x576:NN,64x576x3136:NT</c> replaces the square sizes with rectangular, transposed cases
/// (printed with m, n, k and trans). <c>--thread-cpu-time</c> times single-threaded rows by the thread's CPU time
/// instead of wall time, which keeps them stable on a loaded, shared machine (multi-threaded rows always use wall
/// time).
/// </remarks>
internal static class GemmBenchmark
{
    public static int Run(string[] args)
    {
        int[] sizes = BenchmarkArguments.IntList(args, "--sizes", [256, 512, 1024, 2048]);
        int[] threadCounts = BenchmarkArguments.IntList(args, "--threads", [1, 2]);
        bool threadCpuTime = args.Contains("--thread-cpu-time") && ThreadCpuClock.IsSupported;
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
        // All Lumen rows first, then all OpenBLAS rows: OpenBLAS's idle workers keep spinning for a while after
        // each call and would take the second core from Lumen's threads if the two were measured alternately.
        var rows = cases.SelectMany(shape => threadCounts.Select(threads => (Shape: shape, Threads: threads))).ToArray();
        var lumen = rows.Select(row => Measure(row.Shape, row.Threads, threadCpuTime, budget, (a, b, c, s) =>
            Gemm.Multiply(a, b, c, s.M, s.N, s.K, s.TransA, s.TransB))).ToArray();
        var reference = rows.Select(row => openBlas is null ? (double?)null : Measure(row.Shape, row.Threads, threadCpuTime, budget, (a, b, c, s) =>
        {
            openBlas.SetThreads(row.Threads);
            openBlas.Multiply(a, b, c, s.M, s.N, s.K, s.TransA, s.TransB);
        })).ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            var ((m, n, k, transA, transB, square), threads) = rows[i];
            string size = square ? $"\"n\":{n}" : $"\"m\":{m},\"n\":{n},\"k\":{k},\"trans\":\"{(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')}\"";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{{size},\"threads\":{threads},\"gflops\":{lumen[i]:F1},\"openblas_gflops\":{Json(reference[i], "F1")},\"ratio\":{Json(lumen[i] / reference[i], "F3")}}}"));
        }
        return 0;
    }

    /// <summary>Best GFLOP/s of <paramref name="multiply"/> on fresh random operands of <paramref name="shape"/> with
    /// <see cref="Parallelism.MaxDegree"/> = <paramref name="threads"/>. Single-threaded rows use the thread's CPU
    /// time when <paramref name="threadCpuTime"/>.</summary>
    private static double Measure(GemmCase shape, int threads, bool threadCpuTime, TimeSpan budget, Action<float[], float[], float[], GemmCase> multiply)
    {
        var rng = new Random(shape.M ^ (shape.N << 8) ^ (shape.K << 16));
        float[] a = RandomMatrix(rng, shape.M * shape.K), b = RandomMatrix(rng, shape.K * shape.N), c = new float[shape.M * shape.N];
        Parallelism.MaxDegree = threads;
        double seconds = Best(() => multiply(a, b, c, shape), threadCpuTime && threads == 1, budget);
        return 2.0 * shape.M * shape.N * shape.K / seconds / 1e9;
    }

    private static double Best(Action action, bool threadCpuTime, TimeSpan budget)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed < budget / 4; i++) action();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < 5 || total.Elapsed < budget; i++) best = Math.Min(best, Time(action, threadCpuTime));
        return best;
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
