using System.Diagnostics;
using System.Globalization;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>elementwise</c>: milliseconds per call of unary kernels, reductions and softmax, each fast path against its
/// naive twin or composite form, one JSON line each: <c>{"case":"gelu","n":…,"ms":…,"baseline_ms":…,"speedup":…}</c>.
/// </summary>
internal static class ElementwiseBenchmark
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(0.4);

    public static int Run(string[] args)
    {
        int n = BenchmarkArguments.IntList(args, "--size", [1 << 22])[0];
        int threads = BenchmarkArguments.IntList(args, "--threads", [1])[0];
        Parallelism.MaxDegree = threads;
        var x = Tensor.Randn(new Shape(n), 1);
        var xs = x.ToArray();
        var d = new float[n];
        Report("exp", n, () => Unary.Apply<ExpOperator>(xs, d, n), () => Unary.ApplyNaive<ExpOperator>(xs, d));
        Report("gelu", n, () => Unary.Apply<GeluOperator>(xs, d, n), () => Unary.ApplyNaive<GeluOperator>(xs, d));
        Report("erf", n, () => Unary.Apply<ErfOperator>(xs, d, n), () => Unary.ApplyNaive<ErfOperator>(xs, d));
        Report("relu", n, () => Unary.Apply<ReluOperator>(xs, d, n), () => Unary.ApplyNaive<ReluOperator>(xs, d));

        int rows = 1024, cols = n / rows;
        var shape = new Shape(rows, cols);
        var matrix = x.Reshape(rows, cols);
        bool[] lastAxis = [false, true], firstAxis = [true, false];
        Report("sum_last_axis", n, () => Reduction.Reduce<SumReducer>(xs, shape, lastAxis), () => Reduction.ReduceNaive<SumReducer>(xs, shape, lastAxis));
        Report("sum_first_axis", n, () => Reduction.Reduce<SumReducer>(xs, shape, firstAxis), () => Reduction.ReduceNaive<SumReducer>(xs, shape, firstAxis));
        Report("max_last_axis", n, () => Reduction.Reduce<MaxReducer>(xs, shape, lastAxis), () => Reduction.ReduceNaive<MaxReducer>(xs, shape, lastAxis));

        using (GradMode.Off())
            Report("softmax_forward", n, () => matrix.Softmax(-1), () => (matrix - matrix.LogSumExp(-1, keepDims: true)).Exp());
        var leaf = matrix.Detach().RequireGrad();
        var seed = Tensor.Randn(shape, 2);
        Report("softmax_forward_backward", n,
            () => Gradients.Of(leaf.Softmax(-1), leaf, seed),
            () => Gradients.Of((leaf - leaf.LogSumExp(-1, keepDims: true)).Exp(), leaf, seed));
        return 0;
    }

    private static void Report(string name, int n, Action fast, Action baseline)
    {
        double ms = Measure(fast), baseMs = Measure(baseline);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"case\":\"{name}\",\"n\":{n},\"threads\":{Parallelism.MaxDegree},\"ms\":{ms:F3},\"baseline_ms\":{baseMs:F3},\"speedup\":{baseMs / ms:F2}}}"));
    }

    /// <summary>Best wall time in milliseconds after warm-up.</summary>
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
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return best;
    }
}
