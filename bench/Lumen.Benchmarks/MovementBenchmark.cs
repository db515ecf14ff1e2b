using System.Diagnostics;
using System.Globalization;
using Lumen.Tensors;
using Lumen.Tensors.Kernels;

namespace Lumen.Benchmarks;

/// <summary>
/// <c>movement</c>: throughput of the layout ops (Permute, Slice, Concat, Pad) against the naive per-element copy
/// and a plain <c>Array.Copy</c> of the same bytes, one JSON line per case and thread count:
/// <c>{"case":"permute_0213","threads":1,"gbps":…,"naive_gbps":…,"memcpy_gbps":…}</c>.
/// </summary>
/// <remarks>GB/s counts bytes read plus bytes written (2 × output bytes) over the best time of repetitions filling
/// about 0.3 s after warm-up. The naive column runs the same element mapping through <c>StridedCopy.RunNaive</c>.</remarks>
internal static class MovementBenchmark
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(0.3);

    public static int Run(string[] args)
    {
        int[] threadCounts = BenchmarkArguments.IntList(args, "--threads", [1, 2]);
        var cases = new (string Name, int[] Shape, Func<Tensor, Tensor> Op)[]
        {
            ("transpose_2048x2048", [2048, 2048], x => x.Transpose(0, 1)),
            ("transpose_2000x2000", [2000, 2000], x => x.Transpose(0, 1)),
            ("transpose_last2_12x197x64", [12, 197, 64], x => x.Transpose(-1, -2)),
            ("permute_0213_8x128x12x64", [8, 128, 12, 64], x => x.Permute(0, 2, 1, 3)),
            ("permute_nchw_to_nhwc_8x64x56x56", [8, 64, 56, 56], x => x.Permute(0, 2, 3, 1)),
            ("slice_crop_32x3x224x224", [32, 3, 224, 224], x => x.Slice([16, 16], [208, 208], [2, 3])),
            ("concat_axis1_2x16x64x56x56", [16, 64, 56, 56], x => Tensor.Concat([x, x], 1)),
            ("pad_hw1_16x64x56x56", [16, 64, 56, 56], x => x.Pad([0, 0, 1, 1, 0, 0, 1, 1])),
            ("flip_w_16x64x56x56", [16, 64, 56, 56], x => x.Flip(-1)),
        };
        foreach (var (name, shape, op) in cases)
        {
            var x = Tensor.Randn(new Shape(shape), 1);
            var y = op(x);
            long bytes = 2L * y.Size * sizeof(float);
            var src = x.ToArray();
            var dst = new float[y.Size];
            foreach (int threads in threadCounts)
            {
                Parallelism.MaxDegree = threads;
                double fast = Measure(() => op(x));
                double naive = Measure(() => NaiveTwin(name, x.Shape, src, dst));
                double memcpy = Measure(() => Array.Copy(src, dst, Math.Min(src.Length, dst.Length)));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"case\":\"{name}\",\"threads\":{threads},\"gbps\":{bytes / fast / 1e9:F2},\"naive_gbps\":{bytes / naive / 1e9:F2},\"memcpy_gbps\":{2.0 * Math.Min(src.Length, dst.Length) * sizeof(float) / memcpy / 1e9:F2}}}"));
            }
        }
        return 0;
    }

    /// <summary>The same element mapping as each case, one element at a time (concat: both halves).</summary>
    private static void NaiveTwin(string name, Shape shape, float[] src, float[] dst)
    {
        var s = shape.Strides();
        var d = shape.ToArray();
        switch (name.Split('_')[0])
        {
            case "transpose" when d.Length == 2: StridedCopy.RunNaive(src, 0, [s[1], s[0]], dst, 0, [d[0], 1], [d[1], d[0]]); break;
            case "transpose": StridedCopy.RunNaive(src, 0, [s[0], s[2], s[1]], dst, 0, new Shape(d[0], d[2], d[1]).Strides(), [d[0], d[2], d[1]]); break;
            case "permute" when name.Contains("0213", StringComparison.Ordinal):
                StridedCopy.RunNaive(src, 0, [s[0], s[2], s[1], s[3]], dst, 0, new Shape(d[0], d[2], d[1], d[3]).Strides(), [d[0], d[2], d[1], d[3]]); break;
            case "permute": StridedCopy.RunNaive(src, 0, [s[0], s[2], s[3], s[1]], dst, 0, new Shape(d[0], d[2], d[3], d[1]).Strides(), [d[0], d[2], d[3], d[1]]); break;
            case "slice": StridedCopy.RunNaive(src, 16 * s[2] + 16 * s[3], s, dst, 0, new Shape(d[0], d[1], 192, 192).Strides(), [d[0], d[1], 192, 192]); break;
            case "concat":
                var outStrides = new Shape(d[0], 2 * d[1], d[2], d[3]).Strides();
                StridedCopy.RunNaive(src, 0, s, dst, 0, outStrides, d);
                StridedCopy.RunNaive(src, 0, s, dst, d[1] * outStrides[1], outStrides, d);
                break;
            case "pad":
                var padded = new Shape(d[0], d[1], d[2] + 2, d[3] + 2).Strides();
                StridedCopy.RunNaive(src, 0, s, dst, padded[2] + 1, padded, d);
                break;
            default: StridedCopy.RunNaive(src, d[3] - 1, [s[0], s[1], s[2], -1], dst, 0, s, d); break;
        }
    }

    /// <summary>Best seconds per call after warm-up.</summary>
    private static double Measure(Action action)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 2 || warmUp.Elapsed < Budget / 4; i++) action();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < 3 || total.Elapsed < Budget; i++)
        {
            var once = Stopwatch.StartNew();
            action();
            best = Math.Min(best, once.Elapsed.TotalSeconds);
        }
        return best;
    }
}
